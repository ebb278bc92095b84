package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// sample is what the driver reads of the exporter every interval: from /proc (RSS, open files)
// and from the exporter's own /metrics.
type sample struct {
	rssKB      int64
	fds        int
	goroutines float64
	sessions   float64
	evictions  float64 // netbackup_exporter_session_evictions_total, every reason
	reloadedAt float64 // netbackup_exporter_config_last_reload_success_timestamp_seconds
	reloadOK   float64 // netbackup_exporter_config_last_reload_successful
}

// readSample reads the exporter's state. An error means the process or its /metrics is gone.
func readSample(ctx context.Context, c *http.Client, exporter string, pid int) (sample, error) {
	var s sample
	var err error
	if s.rssKB, err = vmRSS(pid); err != nil {
		return s, err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, err
	}
	s.fds = len(fds)
	mfs, err := scrape(ctx, c, exporter+"/metrics")
	if err != nil {
		return s, err
	}
	s.goroutines = sum(mfs["go_goroutines"])
	s.sessions = sum(mfs["netbackup_exporter_sessions"])
	s.evictions = sum(mfs["netbackup_exporter_session_evictions_total"])
	s.reloadedAt = sum(mfs["netbackup_exporter_config_last_reload_success_timestamp_seconds"])
	s.reloadOK = sum(mfs["netbackup_exporter_config_last_reload_successful"])
	return s, nil
}

// vmRSS reads VmRSS (kB) from /proc/<pid>/status.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// scrape fetches and parses a text exposition.
func scrape(ctx context.Context, c *http.Client, u string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return mfs, nil
}

// sum adds up a family's gauge, counter and untyped values (0 for a family not there).
func sum(mf *dto.MetricFamily) float64 {
	if mf == nil {
		return 0
	}
	var n float64
	for _, m := range mf.GetMetric() {
		n += value(m)
	}
	return n
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

func (s sample) rssMB() float64 { return float64(s.rssKB) / 1024 }
