//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// pythonReader fetches an answer with urllib (no compression asked, as prometheus_client's users
// fetch) and parses it with prometheus_client's parser for the format asked for, printing each
// sample as a JSON line: name, labels, value (as text: NaN and infinities are not JSON).
const pythonReader = `
import json, sys, urllib.request
url, fmt = sys.argv[1], sys.argv[2]
if fmt == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
    accept = "application/openmetrics-text;version=1.0.0"
else:
    from prometheus_client.parser import text_string_to_metric_families
    accept = "text/plain;version=0.0.4"
req = urllib.request.Request(url, headers={"Accept": accept})
with urllib.request.urlopen(req, timeout=60) as resp:
    ctype = resp.headers.get("Content-Type", "")
    text = resp.read().decode("utf-8")
print(json.dumps({"content_type": ctype}))
for family in text_string_to_metric_families(text):
    for s in family.samples:
        print(json.dumps([s.name, s.labels, repr(s.value)]))
`

// pythonInterpreter is Debian's: the python3 earlier in PATH (pyenv's) may lack prometheus_client.
const pythonInterpreter = "/usr/bin/python3"

// The answer of a probe with every collector is read whole by the clients people use: curl
// --compressed and wget --compression=auto (one gzip stream: libcurl refuses a multi-member one),
// and Python's prometheus_client parsers of the text and the OpenMetrics formats. Each reads
// every series of the exporter's own text answer, parsed with expfmt.
func TestClientsReadEverySeries(t *testing.T) {
	for _, tool := range []string{"curl", "wget", pythonInterpreter} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run ./scripts/ensure-e2e-clients.sh (make e2e does)", tool)
		}
	}
	if out, err := exec.Command(pythonInterpreter, "-c", "import prometheus_client").CombinedOutput(); err != nil {
		t.Fatalf("%s lacks prometheus_client: run ./scripts/ensure-e2e-clients.sh (make e2e does): %v\n%s", pythonInterpreter, err, out)
	}
	dir := t.TempDir()
	probeURL := everyCollectorExporter(t, dir)

	// The first probes backfill the jobs; from then on the series are the same on every probe.
	var want map[string]float64
	for range 3 {
		want = goTextSeries(t, probeURL)
	}
	if len(want) < 300 || want[`probe_success{}`] != 1 {
		t.Fatalf("the probe with every collector answered %d series, probe_success %v", len(want), want[`probe_success{}`])
	}

	readers := []struct {
		name string
		read func(t *testing.T) (map[string]float64, string)
	}{
		{"curl --compressed", func(t *testing.T) (map[string]float64, string) { return curlSeries(t, dir, probeURL) }},
		{"wget --compression=auto", func(t *testing.T) (map[string]float64, string) { return wgetSeries(t, dir, probeURL) }},
		{"prometheus_client text parser", func(t *testing.T) (map[string]float64, string) {
			return pythonSeries(t, dir, probeURL, "text")
		}},
		{"prometheus_client OpenMetrics parser", func(t *testing.T) (map[string]float64, string) {
			return pythonSeries(t, dir, probeURL, "openmetrics")
		}},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			got, how := r.read(t)
			t.Logf("%s: %d series (%s)", r.name, len(got), how)
			compareSeries(t, want, got)
		})
	}
	if again := goTextSeries(t, probeURL); !slices.Equal(sortedKeys(again), sortedKeys(want)) {
		t.Errorf("the series changed while the clients read them: the comparison proves nothing")
	}
}

// everyCollectorExporter runs the exporter binary against a fake primary with data for every
// collector, with a module that enables every collector the schema knows (collectors added later
// included), and returns the URL of a probe with that module.
func everyCollectorExporter(t *testing.T, dir string) string {
	t.Helper()
	bin := buildExporter(t, dir)
	fake, _ := newFake(t, 3, defaultKey)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	write(t, dir, "default.key", defaultKey+"\n")
	write(t, dir, "modules.yml", `modules:
  everything:
    timeout: 30s
    api_key_file: default.key
    collectors: [`+strings.Join(prober.Schema().Collectors, ", ")+`]
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	addr := freeAddr(t)
	start(t, dir, "exporter", bin, "--config.file="+filepath.Join(dir, "modules.yml"), "--web.listen-address="+addr)
	base := "http://" + addr
	client := &http.Client{}
	waitFor(t, "the exporter to answer", func() error {
		_, err := get(client, base+"/-/healthy", false)
		return err
	})
	return base + "/probe?module=everything&target=" + url.QueryEscape(srv.URL+"/netbackup")
}

// goTextSeries is the reference: the text answer, parsed by expfmt, as samples.
func goTextSeries(t *testing.T, u string) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	series, err := expfmtSeries(bufio.NewReader(resp.Body))
	if err != nil {
		t.Fatal(err)
	}
	return series
}

// expfmtSeries parses a text exposition with expfmt and returns its samples by sampleKey.
func expfmtSeries(r *bufio.Reader) (map[string]float64, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	var fams []*dto.MetricFamily
	for _, mf := range mfs {
		fams = append(fams, mf)
	}
	samples, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Now()}, fams...)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range samples {
		labels := map[string]string{}
		for k, v := range s.Metric {
			if k != model.MetricNameLabel {
				labels[string(k)] = string(v)
			}
		}
		out[sampleKey(string(s.Metric[model.MetricNameLabel]), labels)] = float64(s.Value)
	}
	return out, nil
}

// curlSeries reads the answer with curl --compressed; it must have come gzipped.
func curlSeries(t *testing.T, dir, u string) (map[string]float64, string) {
	t.Helper()
	headers, body := filepath.Join(dir, "curl.headers"), filepath.Join(dir, "curl.body")
	if out, err := exec.Command("curl", "--compressed", "-sS", "-f", "-D", headers, "-o", body, u).CombinedOutput(); err != nil {
		t.Fatalf("curl --compressed: %v\n%s", err, out)
	}
	return readBody(t, body), gzipUsed(t, headers)
}

// wgetSeries reads the answer with wget --compression=auto; it must have come gzipped.
func wgetSeries(t *testing.T, dir, u string) (map[string]float64, string) {
	t.Helper()
	body := filepath.Join(dir, "wget.body")
	cmd := exec.Command("wget", "--compression=auto", "-q", "-S", "-O", body, u)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("wget --compression=auto: %v\n%s", err, stderr.String())
	}
	headers := filepath.Join(dir, "wget.headers")
	write(t, dir, "wget.headers", stderr.String())
	return readBody(t, body), gzipUsed(t, headers)
}

func readBody(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	series, err := expfmtSeries(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("the answer as the client wrote it does not parse: %v", err)
	}
	return series
}

// gzipUsed fails the test unless the headers say the answer came gzipped.
func gzipUsed(t *testing.T, headersFile string) string {
	t.Helper()
	b, err := os.ReadFile(headersFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(string(b)), "content-encoding: gzip") {
		t.Fatalf("the answer was not gzipped; the client's headers:\n%s", b)
	}
	return "gzip"
}

// pythonSeries reads the answer with prometheus_client's parser of format (text or openmetrics).
func pythonSeries(t *testing.T, dir, u, format string) (map[string]float64, string) {
	t.Helper()
	script := write(t, dir, "read_answer.py", pythonReader)
	out, err := exec.Command(pythonInterpreter, script, u, format).Output()
	if err != nil {
		var stderr []byte
		if exit, ok := err.(*exec.ExitError); ok {
			stderr = exit.Stderr
		}
		t.Fatalf("prometheus_client's %s parser: %v\n%s", format, err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var head struct {
		ContentType string `json:"content_type"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &head); err != nil {
		t.Fatal(err)
	}
	if format == "openmetrics" && !strings.HasPrefix(head.ContentType, "application/openmetrics-text") {
		t.Fatalf("asked for OpenMetrics, got %q", head.ContentType)
	}
	series := map[string]float64{}
	for _, line := range lines[1:] {
		var sample [3]json.RawMessage
		var name, value string
		var labels map[string]string
		if err := json.Unmarshal([]byte(line), &sample); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if json.Unmarshal(sample[0], &name) != nil || json.Unmarshal(sample[1], &labels) != nil || json.Unmarshal(sample[2], &value) != nil {
			t.Fatalf("%q: not a sample", line)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("%q: value: %v", line, err)
		}
		series[sampleKey(name, labels)] = v
	}
	return series, head.ContentType
}

// sampleKey identifies a sample by name and labels; le and quantile are written one way whatever
// way the format wrote them (OpenMetrics writes "1.0", the text format "1"), and a label with an
// empty value is left out (to Prometheus it is no label).
func sampleKey(name string, labels map[string]string) string {
	pairs := make([]string, 0, len(labels))
	for k, v := range labels {
		if v == "" {
			continue
		}
		if k == "le" || k == "quantile" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				v = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		pairs = append(pairs, fmt.Sprintf("%s=%q", k, v))
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// compareSeries wants every sample of want in got, and nothing else. Values are compared where
// they do not change between probes (not the durations, nor the fetch times of what ran again).
func compareSeries(t *testing.T, want, got map[string]float64) {
	t.Helper()
	var missing, extra, differ []string
	for k, v := range want {
		g, ok := got[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case !volatile(k) && g != v && !(v != v && g != g):
			differ = append(differ, fmt.Sprintf("%s: %v, want %v", k, g, v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	for what, list := range map[string][]string{"missing": missing, "not in the exporter's answer": extra, "with another value": differ} {
		if len(list) > 0 {
			slices.Sort(list)
			t.Errorf("%d of %d series %s: %s", len(list), len(want), what, strings.Join(list[:min(len(list), 20)], "\n"))
		}
	}
}

// volatile series change from one probe to the next.
func volatile(key string) bool {
	for _, prefix := range []string{"probe_duration_seconds", "nbu_collector_duration_seconds", "nbu_collector_requests",
		"nbu_last_scrape_timestamp_seconds"} {
		if strings.HasPrefix(key, prefix+"{") {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
