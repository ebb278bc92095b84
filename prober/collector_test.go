package prober

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/go-kit/log"
	gocache "github.com/patrickmn/go-cache"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// testCollector is what a new collector looks like: a Collector and its state, nothing else.
type testCollector struct {
	min string
	err error
}

func (c testCollector) Name() string                          { return "test" }
func (c testCollector) MinAPIVersion() string                 { return c.min }
func (c testCollector) CacheTTL(*config.Module) time.Duration { return time.Minute }
func (c testCollector) NewState() CollectorState              { return &testState{err: c.err} }

type testState struct {
	err  error
	runs int
	seen []int64
}

func (s *testState) Collect(_ context.Context, _ *Run, out *metricSet) error {
	s.runs++
	out.gauge(descUp, float64(s.runs))
	return s.err
}

func (s *testState) ObserveJob(j *nbu.Job) { s.seen = append(s.seen, j.JobID) }

func TestCollectSkipsAndCaches(t *testing.T) {
	tests := []struct {
		name        string
		c           testCollector
		version     string
		wantSkipped bool
		wantErr     bool
	}{
		{"new enough", testCollector{min: "12.0"}, "13.0", false, false},
		{"same version", testCollector{min: "12.0"}, "12.0", false, false},
		{"too old", testCollector{min: "12.0"}, "10.0", true, false},
		{"endpoint missing", testCollector{err: fmt.Errorf("GET /x: HTTP 404: %w", ErrSkipped)}, "14.0", true, false},
		{"failing", testCollector{err: errors.New("HTTP 500")}, "14.0", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess := newTestSession()
			p := &probe{module: &config.Module{}, sess: sess, logger: log.NewNopLogger(), out: newMetricSet(0, nil), now: time.Now}
			slot := sess.slot(tc.c)
			res := p.collect(t.Context(), tc.c, slot, tc.version, nil)
			if res.skipped != tc.wantSkipped || (res.err != nil && !res.skipped) != tc.wantErr {
				t.Fatalf("skipped %v, err %v; want skipped %v, failed %v", res.skipped, res.err, tc.wantSkipped, tc.wantErr)
			}
			if ok := p.report(res); ok == tc.wantErr {
				t.Errorf("report = %v for err %v", ok, res.err)
			}
			fams := gatherSet(t, p.out)
			hasSuccess := fams["nbu_collector_success"]
			hasSkipped := fams["nbu_collector_skipped"]
			if hasSkipped != tc.wantSkipped || hasSuccess == tc.wantSkipped {
				t.Errorf("skipped series %v, success series %v", hasSkipped, hasSuccess)
			}
			again := p.collect(t.Context(), tc.c, slot, tc.version, nil)
			// A skip the endpoint answered is cached like a success; one for an old version never runs.
			cached := !tc.wantErr && !(tc.wantSkipped && tc.c.err == nil)
			if (again.source == fromCache) != cached {
				t.Errorf("second collection %v; cached expected %v", again.source, cached)
			}
		})
	}
}

func TestVersionAtLeast(t *testing.T) {
	for _, tc := range []struct {
		v, min string
		want   bool
	}{
		{"14.0", "12.0", true}, {"10.0", "12.0", false}, {"12.0", "12.0", true},
		{"12.10", "12.9", true}, {"9.0", "10.0", false}, {"junk", "12.0", true},
	} {
		if got := versionAtLeast(tc.v, tc.min); got != tc.want {
			t.Errorf("versionAtLeast(%q, %q) = %v", tc.v, tc.min, got)
		}
	}
}

func TestSchemaIsTheCollectorList(t *testing.T) {
	s := Schema()
	for _, name := range s.Collectors {
		if _, ok := lookupCollector(name); !ok {
			t.Errorf("schema names %q, which the collector list cannot run", name)
		}
	}
	for _, name := range s.DefaultCollectors {
		if !slices.Contains(s.Collectors, name) {
			t.Errorf("default collector %q is not a known one", name)
		}
	}
	if len(s.Collectors) != len(collectorList) {
		t.Errorf("schema lists %d collectors, the collector list %d", len(s.Collectors), len(collectorList))
	}
}

// newTestSession is a session with no client, for collectors that need none.
func newTestSession() *session {
	return &session{key: "test", results: gocache.New(gocache.NoExpiration, 0)}
}

// gatherSet gathers a metric set through a registry into the names of its families.
func gatherSet(t *testing.T, s *metricSet) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, mf := range mfs {
		out[mf.GetName()] = true
	}
	return out
}
