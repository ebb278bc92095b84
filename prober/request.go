package prober

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// request is what /probe and /health both accept: a module, a target that module may be used
// against, and the time budget.
type request struct {
	moduleName string
	module     *config.Module
	target     Target
	timeout    time.Duration
}

// requestError is a request that is turned away before anything touches the network.
type requestError struct {
	status int
	reason string // for netbackup_exporter_probe_requests_rejected_total
	msg    string
}

// parseRequest validates the module and target parameters of r against cfg, in the order /probe
// and /health share: the module first, so that the allow-list check knows whose list to use.
func (h *Handler) parseRequest(r *http.Request, cfg *config.Config) (request, *requestError) {
	bad := func(status int, reason string, format string, args ...any) (request, *requestError) {
		return request{}, &requestError{status: status, reason: reason, msg: fmt.Sprintf(format, args...)}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return bad(http.StatusMethodNotAllowed, rejectBadRequest, "method %s not allowed", r.Method)
	}
	params := r.URL.Query()
	moduleName, err := singleParam(params["module"], "module", DefaultModule)
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "%v", err)
	}
	var module *config.Module
	if cfg != nil {
		module = cfg.Modules[moduleName]
	}
	if module == nil {
		return bad(http.StatusBadRequest, rejectUnknownModule, "unknown module %q", clip(moduleName))
	}
	rawTarget, err := singleParam(params["target"], "target", "")
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "%v", err)
	}
	target, err := ParseTarget(rawTarget)
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "invalid target: %v", err)
	}
	// Checked before anything touches the network: the module's API key must only ever be sent to
	// the primaries the operator listed.
	if !module.TargetAllowed(target.Host, target.Port) {
		return bad(http.StatusForbidden, rejectTargetNotAllow,
			"module %q may not be used against target %q: it is not in the module's allowed_targets", moduleName, target.Host+":"+target.Port)
	}
	if !slices.Contains(module.APIPaths, target.Path) {
		return bad(http.StatusForbidden, rejectTargetNotAllow,
			"module %q may not be used with the API path %q of target %q: it is not in the module's api_paths", moduleName, clip(target.Path), target.Host+":"+target.Port)
	}
	if target.Scheme == "http" && !module.InsecureHTTP {
		return bad(http.StatusForbidden, rejectTargetNotAllow,
			"module %q may not be used against target %q: http:// would send its API key in clear (the module must set insecure_http: true to allow it)", moduleName, target.BaseURL)
	}
	timeout, err := probeTimeout(r, time.Duration(module.Timeout), h.TimeoutOffset)
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "%v", err)
	}
	return request{moduleName: moduleName, module: module, target: target, timeout: timeout}, nil
}

// reject answers a request that cannot be served: a client error that Prometheus shows as the
// scrape error, with the reason in the body.
func (h *Handler) reject(w http.ResponseWriter, route string, rerr *requestError) {
	if rerr.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "GET, HEAD")
	}
	level.Debug(h.Logger).Log("msg", route+" request rejected", "reason", rerr.msg)
	http.Error(w, rerr.msg, rerr.status)
}

// singleParam returns a parameter that must be given at most once: two `target`s in one URL is a
// mistake in a scrape config or an attempt to confuse the allow-list check; either way, say so.
func singleParam(values []string, name, def string) (string, error) {
	switch len(values) {
	case 0:
		if def == "" {
			return "", fmt.Errorf("parameter %q is missing", name)
		}
		return def, nil
	case 1:
		if values[0] == "" {
			if def == "" {
				return "", fmt.Errorf("parameter %q is empty", name)
			}
			return def, nil
		}
		return values[0], nil
	}
	return "", fmt.Errorf("parameter %q given %d times, want once", name, len(values))
}

// clip keeps hostile input out of logs and answers at a readable length.
func clip(s string) string {
	const max = 128
	s = strings.ToValidUTF8(s, "?")
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

const scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// probeTimeout is the module timeout, lowered to Prometheus's scrape timeout less offset so that the
// answer (even a failed one) reaches Prometheus before it gives up on the scrape.
func probeTimeout(r *http.Request, moduleTimeout time.Duration, offset time.Duration) (time.Duration, error) {
	v := r.Header.Get(scrapeTimeoutHeader)
	if v == "" {
		return moduleTimeout, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || !(secs > 0 && secs <= 1e6) {
		return 0, fmt.Errorf("header %s: invalid value %q", scrapeTimeoutHeader, v)
	}
	scrape := time.Duration(secs*float64(time.Second)) - offset
	if scrape <= 0 {
		// A scrape timeout smaller than the offset leaves no budget: keep a sliver rather than a
		// negative deadline, so the probe still answers with probe_success 0 in time.
		scrape = time.Duration(secs * float64(time.Second) / 2)
	}
	if scrape < moduleTimeout {
		return scrape, nil
	}
	return moduleTimeout, nil
}

// writeMargin is the time an answer may take to write after its probe's budget is spent.
const writeMargin = 30 * time.Second

// extendWriteDeadline lets the server's write timeout, which bounds every other answer, fit this
// probe: its budget and the time to write the answer. It returns the deadline.
func extendWriteDeadline(w http.ResponseWriter, budget time.Duration) time.Time {
	deadline := time.Now().Add(budget + writeMargin)
	_ = http.NewResponseController(w).SetWriteDeadline(deadline)
	return deadline
}
