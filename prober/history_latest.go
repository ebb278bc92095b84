package prober

// Latest returns the newest probe of target with module (with any module when module is empty),
// its debug output rendered. target is matched as the landing page shows it (the canonical form)
// and as /probe was given it (`nbu-primary` is https://nbu-primary:1556/netbackup).
func (h *History) Latest(target, module string) (ProbeResult, bool) {
	if h == nil {
		return ProbeResult{}, false
	}
	canonical := target
	if t, err := ParseTarget(target); err == nil {
		canonical = t.BaseURL
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var newest *ProbeResult
	for _, list := range [][]*ProbeResult{h.recent, h.failures} {
		for _, r := range list {
			if (r.Target == canonical || r.Target == target) && (module == "" || r.Module == module) && (newest == nil || r.ID > newest.ID) {
				newest = r
			}
		}
	}
	if newest == nil {
		return ProbeResult{}, false
	}
	return newest.rendered(), true
}
