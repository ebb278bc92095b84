package prober

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// The text answer reads the same gzip or not, and other formats (through promhttp, from the text
// read back) hold the same families.
func TestProbeAnswerFormats(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	query := probeQuery("default", srv.URL+"/netbackup")
	env.probe(t, query, nil) // the state is built; the next probes reuse its families

	plain := env.probe(t, query, nil)
	if ct := plain.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	zipped := env.probe(t, query, http.Header{"Accept-Encoding": {"gzip"}})
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip not used: %v", zipped.Header())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the gzip members do not read as one stream: %v", err)
	}
	if a, b := stripVolatile(plain.Body.String()), stripVolatile(string(unzipped)); a != b {
		t.Errorf("gzip answer differs:\n%s\n---\n%s", a, b)
	}
	if n := env.probe(t, query, http.Header{"Accept-Encoding": {"gzip;q=0"}}); n.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 must not be gzipped")
	}

	// promhttp's own answer for the same probe, through a handler that serves it directly.
	r := httptest.NewRequest("GET", "/probe?"+query, nil)
	r.Header.Set("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
	w := httptest.NewRecorder()
	env.handler.ServeHTTP(w, r)
	if ct := w.Header().Get("Content-Type"); !strings.Contains(ct, "protobuf") {
		t.Errorf("protobuf not negotiated: %q", ct)
	}
	fams := parseExposition(t, plain.Body.String())
	for _, name := range []string{"nbu_jobs_count", "nbu_jobs_total", "probe_success", "nbu_disk_bytes"} {
		if fams[name] == nil {
			t.Errorf("%s missing from the text answer", name)
		}
	}
	// The protobuf answer holds the same families, with as many series, of the same types.
	dec := expfmt.NewDecoder(w.Body, expfmt.NewFormat(expfmt.TypeProtoDelim))
	seen := 0
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		text := fams[mf.GetName()]
		if text == nil || len(text.Metric) != len(mf.Metric) || text.GetType() != mf.GetType() {
			t.Errorf("protobuf %s (%v, %d series) differs from the text answer's (%v)", mf.GetName(), mf.GetType(), len(mf.Metric), text)
		}
	}
	if seen != len(fams) {
		t.Errorf("protobuf answer has %d families, the text one %d", seen, len(fams))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.0": false, "br": false,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", header, got, want)
		}
	}
}

// A stored member reads back as what was stored, alone and between compressed members, across
// the stored block's 64 KiB limit.
func TestStoredGzipMemberReadsBack(t *testing.T) {
	for _, n := range []int{0, 1, 100, 1<<16 - 1, 1 << 16, 200_003} {
		text := make([]byte, n)
		for i := range text {
			text[i] = byte('a' + i%23)
		}
		big, err := gzipMember(bytes.Repeat([]byte("nbu_jobs_count 1\n"), storeBelow/10))
		if err != nil {
			t.Fatal(err)
		}
		stream := append(append(append([]byte{}, big...), storedGzipMember(text)...), big...)
		zr, err := gzip.NewReader(bytes.NewReader(stream))
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		want := strings.Repeat("nbu_jobs_count 1\n", storeBelow/10) + string(text) + strings.Repeat("nbu_jobs_count 1\n", storeBelow/10)
		if string(got) != want {
			t.Errorf("%d bytes: read back %d bytes, want %d", n, len(got), len(want))
		}
	}
}
