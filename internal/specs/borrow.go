package specs

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// borrowedFiles are the spec files a release's bundle lacks although its server has their
// endpoints. Each is read from the nearest older release whose bundle has it, with that release's
// API version in its media types read as the borrowing release's, and only for the paths the
// release's own files lack. The list is explicit rather than "every file missing": the 10.3
// bundle has no config_hosts.yaml or config_policies.yaml because its config.yaml still holds
// those paths, and borrowing 10.5's would lend 10.3 the endpoints 10.5 added.
var borrowedFiles = map[string][]string{
	// Veritas's 11.0 bundle has no config.yaml; 10.5's and 11.2's both have /config/media-servers.
	"11.0": {"config.yaml"},
	// The 11.2 bundle has no storage.yaml, servicecatalog.yaml or config_policies.yaml.
	"11.2": {"storage.yaml", "servicecatalog.yaml", "config_policies.yaml"},
}

// borrow adds to v the operations of the files it borrows from older (oldest first).
func (v *view) borrow(older []*view) error {
	for _, file := range borrowedFiles[v.release.Release] {
		if slices.Contains(v.release.Files, file) {
			return fmt.Errorf("specs: %s borrows %s, which its own bundle has", v.release.Release, file)
		}
		donor := nearestWith(older, file)
		if donor == nil {
			return fmt.Errorf("specs: %s borrows %s, which no older release has", v.release.Release, file)
		}
		own := map[string]bool{}
		for _, ops := range v.byLen {
			for _, o := range ops {
				own[o.Path] = true
			}
		}
		for i := range donor.release.Operations {
			o := &donor.release.Operations[i]
			if o.File != file || own[o.Path] {
				continue
			}
			if err := v.add(o, donor.release.Release+"/"+file, &donor.release); err != nil {
				return err
			}
		}
	}
	return nil
}

func nearestWith(older []*view, file string) *view {
	for i := len(older) - 1; i >= 0; i-- {
		if slices.Contains(older[i].release.Files, file) {
			return older[i]
		}
	}
	return nil
}

// compareVersions orders "MAJOR.MINOR" strings numerically ("10.5" before "11.0").
func compareVersions(a, b string) int {
	am, an := splitVersion(a)
	bm, bn := splitVersion(b)
	return cmp.Or(am-bm, an-bn)
}

func splitVersion(v string) (int, int) {
	major, minor, _ := strings.Cut(v, ".")
	a, _ := strconv.Atoi(major)
	b, _ := strconv.Atoi(minor)
	return a, b
}
