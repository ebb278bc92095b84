package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxBody bounds what the driver reads of one answer.
const maxBody = 64 << 20

// probe fetches /probe for target and module and returns the answer's body, or why the probe
// failed as a short reason (the key failures are counted by) and a detail (the first example of
// each reason is printed).
func probe(ctx context.Context, c *http.Client, exporter, target, module string, timeout time.Duration) (body []byte, reason, detail string) {
	u := exporter + "/probe?" + url.Values{"target": {target}, "module": {module}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "request", err.Error()
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64))
	resp, err := c.Do(req)
	if err != nil {
		return nil, transportReason(err), err.Error()
	}
	defer func() { _ = resp.Body.Close() }()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, "reading the answer: " + transportReason(err), err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		line, _, _ := strings.Cut(string(body), "\n")
		return nil, fmt.Sprintf("HTTP %d", resp.StatusCode), truncate(line, 160)
	}
	return body, "", ""
}

// transportReason names the kind of a failed exchange with the exporter.
func transportReason(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EMFILE):
		return "too many open files (in the driver)"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed (EOF)"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "transport error"
}

// successOf reads probe_success and the collectors that failed from an answer, line by line
// (churn mode reads thousands of answers a minute: no full parse).
func successOf(body []byte) (success bool, found bool, failed []string) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), maxBody)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "probe_success "):
			found = true
			success = strings.TrimSpace(strings.TrimPrefix(line, "probe_success ")) == "1"
		case strings.HasPrefix(line, "nbu_collector_success{") && strings.HasSuffix(line, " 0"):
			if _, rest, ok := strings.Cut(line, `collector="`); ok {
				name, _, _ := strings.Cut(rest, `"`)
				failed = append(failed, name)
			}
		}
	}
	slices.Sort(failed)
	return success, found, failed
}

// answerReason is why an answer with status 200 counts as a failed probe, or "" if it does not.
func answerReason(body []byte) string {
	success, found, failed := successOf(body)
	switch {
	case !found:
		return "no probe_success in the answer"
	case !success && len(failed) > 0:
		return "probe_success 0, collectors failed: " + strings.Join(failed, ",")
	case !success:
		return "probe_success 0"
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// readTargets reads the primaries' URLs, one a line.
func readTargets(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}
