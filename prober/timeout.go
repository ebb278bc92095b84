package prober

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

const scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// probeTimeout is the module timeout, lowered to Prometheus's scrape timeout less offset so that the
// answer (even a failed one) reaches Prometheus before it gives up on the scrape.
func probeTimeout(r *http.Request, moduleTimeout time.Duration, offset time.Duration) (time.Duration, error) {
	v := r.Header.Get(scrapeTimeoutHeader)
	if v == "" {
		return moduleTimeout, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || !(secs > 0 && secs <= 1e6) {
		return 0, fmt.Errorf("header %s: invalid value %q", scrapeTimeoutHeader, v)
	}
	scrape := time.Duration(secs*float64(time.Second)) - offset
	if scrape <= 0 {
		// A scrape timeout smaller than the offset leaves no budget: keep a sliver rather than a
		// negative deadline, so the probe still answers with probe_success 0 in time.
		scrape = time.Duration(secs * float64(time.Second) / 2)
	}
	if scrape < moduleTimeout {
		return scrape, nil
	}
	return moduleTimeout, nil
}

// writeMargin is the time an answer may take to write after its probe's budget is spent.
const writeMargin = 30 * time.Second

// extendWriteDeadline lets the server's write timeout, which bounds every other answer, fit this
// probe: its budget and the time to write the answer. It returns the deadline.
func extendWriteDeadline(w http.ResponseWriter, budget time.Duration) time.Time {
	deadline := time.Now().Add(budget + writeMargin)
	_ = http.NewResponseController(w).SetWriteDeadline(deadline)
	return deadline
}
