package prober

import (
	"slices"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// The fake keeps its own list of served versions (it shares no code with the client); this is
// where the two lists are held together.
func TestFakeServesEveryKnownVersion(t *testing.T) {
	if got := fakenbu.DefaultVersions(); !slices.Equal(got, apiversion.Known) {
		t.Errorf("fakenbu.DefaultVersions() = %v, apiversion.Known = %v", got, apiversion.Known)
	}
}
