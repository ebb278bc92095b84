package prober

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// everythingYAML runs every collector the exporter has.
var everythingYAML = `
modules:
  everything:
    timeout: 30s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [` + strings.Join(Schema().Collectors, ", ") + `]
`

// newEverythingEnv is a fake primary with data for every collector, and an exporter probing it.
func newEverythingEnv(t *testing.T) (*testEnv, string) {
	t.Helper()
	fake, srv := newFake(t, fakenbu.Options{})
	fake.SetDevices()
	fake.SetPosture(fakenbu.DemoPosture(fixtureNow))
	return newTestEnv(t, mustConfig(t, everythingYAML)), probeQuery("everything", srv.URL+"/netbackup")
}

// seriesIDs names every series of families: the family, its type and its label pairs.
func seriesIDs(mfs []*dto.MetricFamily) []string {
	var ids []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var pairs []string
			for _, lp := range m.GetLabel() {
				pairs = append(pairs, lp.GetName()+"="+lp.GetValue())
			}
			slices.Sort(pairs)
			ids = append(ids, fmt.Sprintf("%s %v {%s}", mf.GetName(), mf.GetType(), strings.Join(pairs, ",")))
		}
	}
	slices.Sort(ids)
	return ids
}

func familiesOf(byName map[string]*dto.MetricFamily) []*dto.MetricFamily {
	var mfs []*dto.MetricFamily
	for _, mf := range byName {
		mfs = append(mfs, mf)
	}
	return mfs
}

// The answer with every collector is one gzip stream: a reader that stops at the end of the first
// gzip member reads every series, and nothing follows that member.
func TestGzipAnswerIsOneMember(t *testing.T) {
	env, query := newEverythingEnv(t)
	env.probe(t, query, nil) // the first probe backfills; the next ones serve what is cached too
	plain := env.probe(t, query, nil)
	want := seriesIDs(familiesOf(parseExposition(t, plain.Body.String())))
	if len(want) < 200 || !strings.Contains(plain.Body.String(), "\nprobe_success 1\n") {
		t.Fatalf("%d series; the probe must succeed with every collector:\n%s\n%s", len(want), plain.Body, env.logs)
	}
	zipped := env.probe(t, query, http.Header{"Accept-Encoding": {"gzip"}})
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip not used: %v", zipped.Header())
	}
	body := bytes.NewReader(zipped.Body.Bytes())
	zr, err := gzip.NewReader(body)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	first, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if body.Len() != 0 {
		t.Errorf("%d bytes follow the first gzip member", body.Len())
	}
	if got := seriesIDs(familiesOf(parseExposition(t, string(first)))); !slices.Equal(got, want) {
		t.Errorf("the first gzip member holds %d series, the plain answer %d", len(got), len(want))
	}
}

// OpenMetrics and protobuf are served when asked for, with the families of the text answer.
func TestAnswerFormats(t *testing.T) {
	env, query := newEverythingEnv(t)
	env.probe(t, query, nil)
	text := parseExposition(t, env.probe(t, query, nil).Body.String())

	om := env.probe(t, query, http.Header{"Accept": {"application/openmetrics-text; version=1.0.0"}})
	if ct := om.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text; version=1.0.0") {
		t.Errorf("OpenMetrics not negotiated: Content-Type %q", ct)
	}
	body := om.Body.String()
	if !strings.HasSuffix(body, "# EOF\n") {
		t.Error("the OpenMetrics answer does not end in # EOF")
	}
	families := map[string]string{} // OpenMetrics family name -> the exposition's name
	for name, mf := range text {
		family := name
		if mf.GetType() == dto.MetricType_COUNTER {
			family = strings.TrimSuffix(name, "_total") // OpenMetrics names a counter's family without it
		}
		// OpenMetrics forbids two families of one name: a gauge x beside a counter x_total is one.
		if other, clash := families[family]; clash {
			t.Errorf("%s and %s are both the OpenMetrics family %s", other, name, family)
		}
		families[family] = name
		if want := fmt.Sprintf("# TYPE %s %s\n", family, strings.ToLower(mf.GetType().String())); !strings.Contains(body, want) {
			t.Errorf("OpenMetrics answer lacks %q", want)
		}
	}

	pb := env.probe(t, query, http.Header{"Accept": {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}})
	if ct := pb.Header().Get("Content-Type"); !strings.Contains(ct, "application/vnd.google.protobuf") {
		t.Fatalf("protobuf not negotiated: Content-Type %q", ct)
	}
	dec := expfmt.NewDecoder(pb.Body, expfmt.NewFormat(expfmt.TypeProtoDelim))
	var got []*dto.MetricFamily
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, mf)
	}
	if a, b := seriesIDs(got), seriesIDs(familiesOf(text)); !slices.Equal(a, b) {
		t.Errorf("protobuf answer: %d series, the text answer %d", len(a), len(b))
	}
}

// Two label values equal once cut to 256 bytes (long client names), or once invalid UTF-8 is
// replaced (storage unit names), are one series: the second is left out and counted, and the
// answer and the debug page stay valid.
func TestDuplicateSeriesAreCounted(t *testing.T) {
	long := strings.Repeat("c", maxLabelValueBytes)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
		switch {
		case strings.HasSuffix(r.URL.Path, "/admin/jobs"):
			var recs []string
			for i, client := range []string{long + "-one", long + "-two", "short"} {
				recs = append(recs, fmt.Sprintf(`{"type":"job","id":"%d","attributes":{"jobId":%d,"jobType":"BACKUP","policyType":"STANDARD","clientName":%q,`+
					`"state":"DONE","status":0,"startTime":"2026-11-26T11:50:00Z","endTime":"2026-11-26T11:55:00Z","lastUpdateTime":"2026-11-26T11:55:00Z"}}`, i+1, i+1, client))
			}
			if strings.Contains(r.URL.RawQuery, "state+ne") {
				recs = nil
			}
			fmt.Fprintf(w, `{"data":[%s],"meta":{"pagination":{}}}`, strings.Join(recs, ","))
		case strings.HasSuffix(r.URL.Path, "/storage/storage-units"):
			var recs []string
			for _, name := range []string{"bad\xff", "bad\xfe", "good"} {
				recs = append(recs, `{"type":"storageUnit","id":"`+name+`","attributes":{"name":"`+name+
					`","storageServerType":"PureDisk","storageCategory":"MSDP","freeCapacityBytes":1,"usedCapacityBytes":1,"totalCapacityBytes":2}}`)
			}
			fmt.Fprintf(w, `{"data":[%s],"meta":{"pagination":{"count":3}}}`, strings.Join(recs, ","))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs, storage, clients", 1000)))
	query := probeQuery("default", srv.URL+"/netbackup")
	w := env.probe(t, query, nil)
	fams := parseExposition(t, w.Body.String())
	if sumFamily(fams, "probe_success", nil) != 1 {
		t.Fatalf("probe failed:\n%s\n%s", w.Body, env.logs)
	}
	for _, tc := range []struct {
		collector, family string
		dropped, kept     int
	}{
		{"storage", "nbu_storage_info", 1, 2},
		{"clients", "nbu_client_last_backup_timestamp_seconds", 1, 2},
	} {
		got := sumFamily(fams, "nbu_series_dropped", map[string]string{"collector": tc.collector, "reason": dropReasons[dropDuplicate]})
		// Every family of a unit or client repeats; a single one of them must be counted once.
		if int(got) < tc.dropped || len(fams[tc.family].GetMetric()) != tc.kept {
			t.Errorf("%s: %v duplicates counted, %d series of %s kept; want at least %d and %d", tc.collector, got,
				len(fams[tc.family].GetMetric()), tc.family, tc.dropped, tc.kept)
		}
	}
	if v := sumFamily(fams, "nbu_series_dropped", map[string]string{"collector": "jobs"}); v != 0 {
		t.Errorf("jobs dropped %v series", v)
	}
	metrics := debugMetrics(t, env.probe(t, query+"&debug=true", nil).Body.String())
	if got := sumFamily(metrics, "nbu_series_dropped", map[string]string{"reason": dropReasons[dropDuplicate]}); got < 2 {
		t.Errorf("the debug page counts %v duplicates", got)
	}
}

// debugMetrics parses the metrics section of a debug page with the text format's parser.
func debugMetrics(t *testing.T, page string) map[string]*dto.MetricFamily {
	t.Helper()
	_, rest, ok := strings.Cut(page, "Metrics that would have been returned:\n")
	section, _, ok2 := strings.Cut(rest, "\n\nModule configuration:\n")
	if !ok || !ok2 {
		t.Fatalf("no metrics section in the debug page:\n%s", page)
	}
	return parseExposition(t, section)
}

// brokenGatherer reports a gather error of several lines beside a family.
type brokenGatherer struct{}

func (brokenGatherer) Gather() ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "kept", Help: "A family gathered beside the errors."})
	reg.MustRegister(g)
	mfs, _ := reg.Gather()
	return mfs, prometheus.MultiError{fmt.Errorf("first\n# TYPE kept counter\nnot a comment"), fmt.Errorf("second: \xff")}
}

// The debug page's metrics section is valid text exposition when the gather reports errors: they
// are comments, every line of them.
func TestDebugPageParsesWithGatherErrors(t *testing.T) {
	page := debugOutput(nil, "a log line", brokenGatherer{})
	metrics := debugMetrics(t, page)
	if metrics["kept"] == nil || metrics["kept"].GetType() != dto.MetricType_GAUGE {
		t.Errorf("the family gathered beside the errors is missing or retyped: %v", metrics["kept"])
	}
	if !strings.Contains(page, "# ! error gathering metrics: 2 error(s) occurred:") || !strings.Contains(page, "# ! not a comment") {
		t.Errorf("the gather errors are not in the page:\n%s", page)
	}
	if old := debugMetrics(t, debugOutput(nil, "", nil)); len(old) != 0 {
		t.Errorf("a history entry without metrics shows %d families", len(old))
	}
}
