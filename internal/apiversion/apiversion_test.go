package apiversion

import "testing"

func TestEveryVersionHasARelease(t *testing.T) {
	if len(Release) != len(Known) {
		t.Errorf("%d releases for %d versions", len(Release), len(Known))
	}
	for _, v := range Known {
		if Release[v] == "" {
			t.Errorf("version %s has no release", v)
		}
	}
}
