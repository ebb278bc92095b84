//go:build e2e

// Package e2e runs the exporter binary behind a real Prometheus server, scraping three fake
// NetBackup primaries through the README's scrape configuration, with the repository's alerting
// rules, a real Alertmanager and the dashboards' queries; and two exporters sharded by hashmod.
// Run it with `make e2e`.
package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/monitoring"
)

const (
	defaultKey = "e2e-default-key-8c7b6a5f4e"
	otherKey   = "e2e-other-key-3d2c1b0a9f"
	authUser   = "prometheus"
	authPass   = "e2e-scrape-password-77d1"
	lookback   = time.Hour
	// deadline bounds every wait: Prometheus scrapes every second, so this is many scrapes.
	deadline = 90 * time.Second
)

// testNow is the fakes' clock and the end of their generated job history.
var testNow = time.Now().Truncate(time.Second)

// allCollectors turns every collector on, so that every dashboard panel and rule has data.
const allCollectors = "jobs, storage, disk_pools, tape, media_servers, storage_servers, clients, policies, catalog, slp, alerts, malware, slo, licensing, certificates, services, security"

func TestPrometheusScrapesThroughExporter(t *testing.T) {
	for _, tool := range []string{"prometheus", "promtool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run ./scripts/ensure-prometheus.sh (make e2e does)", tool)
		}
	}
	dir := t.TempDir()
	exporterBin := buildExporter(t, dir)

	// Three primaries: one over TLS with its own CA (module default), one over plain HTTP that
	// wants another key (module other), one that is down (module default).
	tlsFake, tlsJobs := newFake(t, 1, defaultKey)
	caPEM, serverTLS, err := fakenbu.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewUnstartedServer(tlsFake)
	tlsSrv.TLS = serverTLS
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	otherFake, otherJobs := newFake(t, 2, otherKey)
	otherSrv := httptest.NewServer(otherFake)
	t.Cleanup(otherSrv.Close)

	tlsTarget := tlsSrv.URL + "/netbackup"
	otherTarget := otherSrv.URL + "/netbackup"
	downTarget := "https://" + freeAddr(t) + "/netbackup"

	write(t, dir, "nbu-ca.pem", string(caPEM))
	write(t, dir, "default.key", defaultKey+"\n")
	write(t, dir, "other.key", otherKey+"\n")
	write(t, dir, "modules.yml", `modules:
  default:
    timeout: 30s
    api_key_file: default.key
    api_key_tag: `+fakenbu.DemoAPIKeyTag+`
    tls_config:
      ca_file: nbu-ca.pem
    jobs:
      lookback: `+lookback.String()+`
    collectors: [`+allCollectors+`]
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
  other:
    timeout: 30s
    api_key_file: other.key
    jobs:
      lookback: `+lookback.String()+`
    collectors: [`+allCollectors+`]
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)

	// The exporter itself: TLS with a certificate of its own CA, and basic auth.
	exporterCA := writeServerCert(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte(authPass), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "web-config.yml", fmt.Sprintf(`tls_server_config:
  cert_file: exporter.crt
  key_file: exporter.key
basic_auth_users:
  %s: %s
`, authUser, hash))
	exporterAddr := freeAddr(t)
	exporter := start(t, dir, "exporter", exporterBin,
		"--config.file="+filepath.Join(dir, "modules.yml"),
		"--web.config.file="+filepath.Join(dir, "web-config.yml"),
		"--web.listen-address="+exporterAddr)
	client := httpsClient(t, exporterCA)
	base := "https://" + exporterAddr
	waitFor(t, "the exporter to answer", func() error {
		_, err := get(client, base+"/-/healthy", true)
		return err
	})

	t.Run("credentials required", func(t *testing.T) {
		for _, path := range []string{"/metrics", "/probe?target=" + url.QueryEscape(tlsTarget), "/config"} {
			resp, err := client.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET %s without credentials: %d, want 401", path, resp.StatusCode)
			}
		}
	})

	t.Run("promtool check metrics", func(t *testing.T) {
		for _, path := range []string{"/probe?target=" + url.QueryEscape(tlsTarget), "/probe?module=other&target=" + url.QueryEscape(otherTarget), "/metrics"} {
			body, err := get(client, base+path, true)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(path, "/probe") && !strings.Contains(body, "\nprobe_success 1\n") {
				t.Fatalf("GET %s did not succeed:\n%s", path, body)
			}
			cmd := exec.Command("promtool", "check", "metrics")
			cmd.Stdin = strings.NewReader(body)
			out, err := cmd.CombinedOutput()
			// promtool exits 3 on lint problems: the _count warnings on the names kept from
			// nbu_exporter are deliberate, any other is not.
			var exit *exec.ExitError
			if undeliberate := undeliberateLint(out); (err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 3)) || len(undeliberate) > 0 {
				t.Errorf("promtool check metrics on %s: %v\n%s", path, err, strings.Join(undeliberate, "\n"))
			}
		}
	})

	// Prometheus, with the README's scrape configuration.
	targetsFile := write(t, dir, "netbackup_targets.yml", fmt.Sprintf(`- targets: [%q, %q]
- targets: [%q]
  labels: {module: other}
`, tlsTarget, downTarget, otherTarget))
	// A real Alertmanager receives the alerts of the repository's rules.
	alertmanagerURL := startAlertmanager(t, dir)
	promCfg := prometheusConfig(t, readmeScrapeConfig(t), targetsFile, exporterAddr, filepath.Join(dir, "exporter-ca.pem")) +
		alertingConfig(t, dir, alertmanagerURL)
	prom := startPrometheus(t, dir, promCfg)

	wantJobs := map[string]float64{tlsTarget: countInWindow(tlsJobs), otherTarget: countInWindow(otherJobs)}
	wantUsed := 0.0
	for _, u := range fakenbu.DemoStorageUnits() {
		wantUsed += float64(u.UsedCapacityBytes)
	}
	targets := []string{tlsTarget, otherTarget, downTarget}
	waitFor(t, "two scrapes of every target", func() error {
		return prom.expect(`count_over_time(up{job="netbackup"}[5m])`, func(v float64) bool { return v >= 2 }, targets...)
	})
	checks := []struct {
		query string
		want  map[string]float64
	}{
		{`up{job="netbackup"}`, map[string]float64{tlsTarget: 1, otherTarget: 1, downTarget: 1}},
		{`probe_success`, map[string]float64{tlsTarget: 1, otherTarget: 1, downTarget: 0}},
		{`sum by (instance) (nbu_jobs_count)`, wantJobs},
		{`sum by (instance) (nbu_disk_bytes{size="used"})`, map[string]float64{tlsTarget: wantUsed, otherTarget: wantUsed}},
		{`count by (instance) (probe_success{module="other"})`, map[string]float64{otherTarget: 1}},
	}
	for _, c := range checks {
		// The first probe of a target may still be filling its job window; later scrapes agree.
		waitFor(t, c.query, func() error { return prom.expectExactly(c.query, c.want) })
	}
	waitFor(t, "the exporter's own job", func() error {
		return prom.expect(`up{job="netbackup_exporter"}`, func(v float64) bool { return v == 1 }, exporterAddr)
	})
	t.Logf("Prometheus saw, per instance: jobs %v, used bytes %v", wantJobs, wantUsed)

	// The rules of alerts/ load and evaluate; the down primary's alert reaches Alertmanager (and
	// only its); then every dashboard query runs, the alert's ALERTS series included.
	t.Run("alert rules", func(t *testing.T) { checkRulesLoaded(t, prom) })
	t.Run("alert reaches Alertmanager", func(t *testing.T) {
		checkAlertReachesAlertmanager(t, alertmanagerURL, downTarget, tlsTarget, otherTarget)
	})
	t.Run("dashboard queries", func(t *testing.T) { checkDashboardQueries(t, prom) })

	// SIGTERM: a clean stop with exit code 0.
	if err := exporter.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exporter.done:
		if code := exporter.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exporter exit code after SIGTERM: %d", code)
		}
	case <-time.After(deadline):
		t.Error("the exporter did not stop on SIGTERM")
	}
	logs := exporter.output()
	for _, secret := range []string{defaultKey, otherKey, authPass} {
		if strings.Contains(logs, secret) {
			t.Errorf("the exporter's log holds a secret")
		}
	}
}

// newFake returns a fake primary with jobs generated over three look-back windows (so that some
// fall outside), minus those ending near the window's start, which would make the count depend
// on the second the exporter probes.
func newFake(t *testing.T, seed int64, key string) (*fakenbu.Server, []fakenbu.Job) {
	t.Helper()
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{key}, Now: func() time.Time { return testNow }})
	edge := testNow.Add(-lookback)
	var jobs []fakenbu.Job
	for _, j := range fakenbu.GenerateJobs(seed, 600, 3*lookback, testNow) {
		if !j.EndTime.IsZero() && j.EndTime.After(edge.Add(-15*time.Minute)) && j.EndTime.Before(edge.Add(15*time.Minute)) {
			continue
		}
		jobs = append(jobs, j)
	}
	fake.SetJobs(jobs)
	// The demo's storage, devices and protection posture, so that every dashboard panel and rule
	// has data.
	fake.SetDemo(testNow)
	return fake, jobs
}

// countInWindow is what nbu_jobs_count sums to: the jobs that are DONE and ended within the
// look-back window.
func countInWindow(jobs []fakenbu.Job) float64 {
	n := 0.0
	for _, j := range jobs {
		if j.State == "DONE" && j.EndTime.After(testNow.Add(-lookback)) {
			n++
		}
	}
	if n == 0 {
		panic("no job in the window: the test would prove nothing")
	}
	return n
}

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// readmeScrapeConfig is the first YAML block of the README's "Prometheus configuration" section,
// so that the documented configuration is the tested one.
func readmeScrapeConfig(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Prometheus configuration\n")
	if !ok {
		t.Fatal(`README.md has no "## Prometheus configuration" section`)
	}
	m := yamlBlock.FindStringSubmatch(section)
	if m == nil {
		t.Fatal("the README's Prometheus section has no yaml block")
	}
	return m[1]
}

// prometheusConfig adapts the README's scrape config to this test's addresses, and adds what the
// README says the exporter's web config requires: scheme https, tls_config and basic_auth. The
// relabelling is used exactly as written.
func prometheusConfig(t *testing.T, readme, targetsFile, exporterAddr, caFile string) string {
	t.Helper()
	var cfg struct {
		ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(readme), &cfg); err != nil {
		t.Fatalf("the README's scrape config: %v", err)
	}
	var probes, self map[string]any
	for _, sc := range cfg.ScrapeConfigs {
		switch {
		case sc["metrics_path"] == "/probe":
			probes = sc
		case sc["static_configs"] != nil:
			self = sc
		}
	}
	if probes == nil || self == nil {
		t.Fatalf("the README's scrape config lacks the /probe job or the exporter's own job:\n%s", readme)
	}
	fileSD, ok := probes["file_sd_configs"].([]any)
	if !ok || len(fileSD) != 1 {
		t.Fatalf("the README's /probe job should have one file_sd_configs entry:\n%s", readme)
	}
	fileSD[0].(map[string]any)["files"] = []any{targetsFile}
	relabels, _ := probes["relabel_configs"].([]any)
	replaced := 0
	for _, r := range relabels {
		rule := r.(map[string]any)
		if rule["target_label"] == "__address__" {
			rule["replacement"] = exporterAddr
			replaced++
		}
	}
	if replaced != 1 {
		t.Fatalf("the README's relabel_configs should set __address__ to the exporter once:\n%s", readme)
	}
	self["static_configs"] = []any{map[string]any{"targets": []any{exporterAddr}}}
	for _, sc := range []map[string]any{probes, self} {
		sc["scrape_interval"] = "1s"
		sc["scrape_timeout"] = "1s"
		sc["scheme"] = "https"
		sc["tls_config"] = map[string]any{"ca_file": caFile}
		sc["basic_auth"] = map[string]any{"username": authUser, "password": authPass}
	}
	out, err := yaml.Marshal(map[string]any{"scrape_configs": cfg.ScrapeConfigs})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// promAPI queries Prometheus's HTTP API.
type promAPI struct{ base string }

// query returns the instant vector of q by instance label.
func (p *promAPI) query(q string) (map[string]float64, error) {
	resp, err := http.Get(p.base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("query %s: %w", q, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, r.Error)
	}
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v: %w", q, s.Value[1], err)
		}
		out[s.Metric["instance"]] = v
	}
	return out, nil
}

// expect checks that q has a value satisfying ok for each instance.
func (p *promAPI) expect(q string, ok func(float64) bool, instances ...string) error {
	got, err := p.query(q)
	if err != nil {
		return err
	}
	for _, inst := range instances {
		v, found := got[inst]
		if !found || !ok(v) {
			return fmt.Errorf("%s: got %v", q, got)
		}
	}
	return nil
}

// expectExactly checks that q is want, instance by instance, with no other instance.
func (p *promAPI) expectExactly(q string, want map[string]float64) error {
	got, err := p.query(q)
	if err != nil {
		return err
	}
	if len(got) != len(want) {
		return fmt.Errorf("%s: got %v, want %v", q, got, want)
	}
	for inst, w := range want {
		if v, ok := got[inst]; !ok || v != w {
			return fmt.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
	return nil
}

// waitFor polls check until it returns nil, and fails the test with its last error at the deadline.
func waitFor(t *testing.T, what string, check func() error) {
	t.Helper()
	end := time.Now().Add(deadline)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s: %v", what, err)
		}
		<-tick.C
	}
}

func buildExporter(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "netbackup_exporter")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// freeAddr returns a 127.0.0.1 address with a port nothing listens on (now).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// writeServerCert writes exporter.crt and exporter.key, signed by a CA of their own whose
// certificate goes to exporter-ca.pem, and returns that CA's pool.
func writeServerCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	caPEM, serverTLS, err := fakenbu.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	cert := serverTLS.Certificates[0]
	var chain bytes.Buffer
	for _, der := range cert.Certificate {
		_ = pem.Encode(&chain, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "exporter.crt", chain.String())
	write(t, dir, "exporter.key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})))
	write(t, dir, "exporter-ca.pem", string(caPEM))
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("bad CA PEM")
	}
	return pool
}

func httpsClient(t *testing.T, roots *x509.CertPool) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// get fetches url, with the scrape credentials when auth is set, and wants a 200.
func get(c *http.Client, u string, auth bool) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	if auth {
		req.SetBasicAuth(authUser, authPass)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b), nil
}

// process is a child process whose output goes to a file, killed when the test ends.
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func (p *process) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

func start(t *testing.T, dir, name, bin string, args ...string) *process {
	t.Helper()
	logFile, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &process{cmd: cmd, log: logFile.Name(), done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.output())
		}
	})
	return p
}

// startPrometheus writes cfg as dir/prometheus.yml, has promtool check it, and starts a Prometheus
// on it until the test ends.
func startPrometheus(t *testing.T, dir, cfg string) *promAPI {
	t.Helper()
	write(t, dir, "prometheus.yml", cfg)
	if out, err := exec.Command("promtool", "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s\n%s", err, out, cfg)
	}
	promAddr := freeAddr(t)
	start(t, dir, "prometheus", "prometheus",
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr,
		"--log.level=warn")
	return &promAPI{base: "http://" + promAddr}
}

// undeliberateLint is promtool check metrics' output less its deliberate warnings.
func undeliberateLint(out []byte) []string {
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		metric, text, _ := strings.Cut(line, " ")
		if line != "" && !monitoring.DeliberateLintProblem(metric, text) {
			lines = append(lines, line)
		}
	}
	return lines
}
