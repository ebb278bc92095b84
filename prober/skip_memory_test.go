package prober

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A primary that answers 404 for a collector's endpoints has the collector skipped, never failed,
// and is not asked again for an hour, whatever the collector's TTL (0 for jobs, clients, policies
// and catalog): then it is asked again. The clients collector, which reports the job stream's
// clients whatever its lookups get, reports its lookups' endpoint skipped.
func TestSkipRememberedForEveryCollector(t *testing.T) {
	for _, tt := range []struct {
		module, collector string
		endpoints         []string
		endpointSkipped   bool // nbu_collector_endpoint_skipped rather than nbu_collector_skipped
	}{
		{"jobs", "jobs", []string{"/admin/jobs"}, false},
		{"policies_clients", "clients", []string{"/admin/jobs"}, true},
		{"policies", "policies", []string{"/config/policies/"}, false},
		{"catalog", "catalog", []string{"/admin/jobs", "/catalog/images"}, false},
		{"storage", "storage", []string{"/storage/storage-units"}, false},
		{"disk_pools", "disk_pools", []string{"/storage/disk-pools"}, false},
		{"tape", "tape", []string{"/storage/drives", "/storage/tape-volume-pools", "/storage/tape-media", "/storage/robots-device-hosts"}, false},
		{"media_servers", "media_servers", []string{"/config/media-servers"}, false},
		{"slp", "slp", []string{"/catalog/slp-images"}, false},
		{"alerts", "alerts", []string{"/manage/alerts"}, false},
		{"malware", "malware", []string{"/malware/latest-scan-results"}, false},
	} {
		t.Run(tt.collector, func(t *testing.T) {
			// The policies' clients make the clients collector look their backups up. The version
			// is pinned: detecting it reads /admin/jobs, whose 404 would fail every probe.
			e := newShapesEnvPinned(t, shapes(t, nil, "config_policies.json", "config_policies_vm-gold.json",
				"config_policies_vm-silver.json", "config_policies_win-fs.json", "config_policies_fs-daily.json"), "14.0")
			for _, ep := range tt.endpoints {
				e.fake.FailEndpoint(ep, http.StatusNotFound)
			}
			asked := func() int {
				n := 0
				for _, ep := range tt.endpoints {
					n += e.fake.Requests(ep)
				}
				return n
			}
			for i, step := range []struct {
				after time.Duration
				asks  bool
			}{{0, true}, {10 * time.Minute, false}, {40 * time.Minute, false}, {61 * time.Minute, true}} {
				e.clock.Advance(step.after)
				e.fake.ResetCounters()
				fams := e.probe(t, tt.module)
				if v := seriesOf(fams, "probe_success", nil); len(v) != 1 || v[0] != 1 {
					t.Fatalf("probe %d: probe_success = %v; logs:\n%s", i+1, v, e.env.logs)
				}
				if tt.endpointSkipped {
					for _, ep := range tt.endpoints {
						if v := seriesOf(fams, "nbu_collector_endpoint_skipped", lbl("collector", tt.collector, "endpoint", ep)); len(v) != 1 || v[0] != 1 {
							t.Errorf("probe %d: nbu_collector_endpoint_skipped{%s} = %v, want 1", i+1, ep, v)
						}
					}
					if v := seriesOf(fams, "nbu_collector_success", lbl("collector", tt.collector)); len(v) != 1 || v[0] != 1 {
						t.Errorf("probe %d: nbu_collector_success = %v, want 1", i+1, v)
					}
				} else if v := seriesOf(fams, "nbu_collector_skipped", lbl("collector", tt.collector)); len(v) != 1 || v[0] != 1 {
					t.Errorf("probe %d: nbu_collector_skipped = %v, want 1", i+1, v)
				}
				if got := asked(); (got > 0) != step.asks {
					t.Errorf("probe %d (%v later): %d requests to %v, want them asked: %v", i+1, step.after, got, tt.endpoints, step.asks)
				}
			}
		})
	}
}

// A remembered skip holds for its session's API version only: a primary upgraded to a release
// that may have the endpoint is asked again at once. A success forgets it.
func TestRememberedSkipVersionAndSuccess(t *testing.T) {
	var r rememberedSkip
	skip := &runResult{out: newMetricSet(0, nil), err: fmt.Errorf("x: %w", ErrSkipped), at: fixtureNow}
	r.note(skip, "12.0")
	for _, tt := range []struct {
		version string
		after   time.Duration
		ttl     time.Duration
		want    bool
	}{
		{"12.0", 0, 0, true},
		{"12.0", 59 * time.Minute, 0, true},
		{"12.0", time.Hour, 0, false},
		{"12.0", 90 * time.Minute, 2 * time.Hour, true}, // a TTL longer than the memory keeps it as long
		{"13.0", time.Minute, 0, false},
	} {
		if _, got := r.recall(tt.version, fixtureNow.Add(tt.after), tt.ttl); got != tt.want {
			t.Errorf("recall(%s, +%v, ttl %v) = %v, want %v", tt.version, tt.after, tt.ttl, got, tt.want)
		}
	}
	r.note(&runResult{out: newMetricSet(0, nil), err: errors.New("a failure"), at: fixtureNow}, "12.0")
	if _, ok := r.recall("12.0", fixtureNow, 0); !ok {
		t.Error("a failure forgot the skip")
	}
	r.note(&runResult{out: newMetricSet(0, nil), at: fixtureNow}, "12.0")
	if _, ok := r.recall("12.0", fixtureNow, 0); ok {
		t.Error("a success did not forget the skip")
	}

	var e endpointSkips
	missingErr := fmt.Errorf("GET: %w", nbu.ErrEndpointMissing)
	e.note("/catalog/images", "12.0", fixtureNow, missingErr)
	if e.skipped("/catalog/images", "12.0", fixtureNow.Add(time.Hour)) != nil {
		t.Error("an endpoint's 404 is remembered past an hour")
	}
	if e.skipped("/catalog/images", "12.0", fixtureNow.Add(30*time.Minute)) == nil {
		t.Error("an endpoint's 404 is not remembered")
	}
	if e.skipped("/catalog/images", "13.0", fixtureNow) != nil {
		t.Error("an endpoint's 404 is remembered across a version change")
	}
	e.note("/catalog/images", "12.0", fixtureNow, nil)
	if e.skipped("/catalog/images", "12.0", fixtureNow) != nil {
		t.Error("an answer did not forget the endpoint's 404")
	}
}
