package prober

import (
	"slices"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// The fake keeps its own list of served versions (it shares no code with the client); this is
// where the two lists are held together.
func TestFakeServesEveryKnownVersion(t *testing.T) {
	if got := fakenbu.DefaultVersions(); !slices.Equal(got, nbu.KnownVersions) {
		t.Errorf("fakenbu.DefaultVersions() = %v, nbu.KnownVersions = %v", got, nbu.KnownVersions)
	}
}
