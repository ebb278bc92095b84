package prober

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// backfill looks up the newest good backup of clients whose records hold none (a client the job
// window showed only failing, or one known from a policy alone), in name order, spending at most
// clients.max_requests_per_probe requests in this probe. A client costs one request per run of
// consecutive success statuses (one for the default [0, 1]), and is done once answered, found or
// not: the stream keeps it current from then on. So every client is known after at most
// ceil(clients / max_requests_per_probe) probes, and a steady master costs nothing here.
func (s *clientsState) backfill(ctx context.Context, r *Run, success []int) error {
	budget := r.Module.Clients.MaxRequestsPerProbe
	ranges := statusRanges(success)
	if budget < len(ranges) {
		return nil
	}
	todo := s.needBackfill(success, budget/len(ranges))
	for _, name := range todo {
		var newest nbu.Job
		var found bool
		for _, rg := range ranges {
			j, ok, err := r.Client.NewestJob(ctx, backfillFilter(name, rg))
			if err != nil {
				return fmt.Errorf("clients: last good backup of %q: %w", name, err)
			}
			normalizeJob(&j)
			// The same check as the job stream's, and the filter's: a primary that ignores the
			// filter answers with whatever job ended last.
			ok = ok && backupOf(&j, name) && j.Status >= int64(rg[0]) && j.Status <= int64(rg[1])
			if ok && (!found || j.EndTime.After(newest.EndTime)) {
				newest, found = j, true
			}
		}
		s.mu.Lock()
		if rec := s.clients[name]; rec != nil {
			if found {
				rec.fold(newest.Status, newest.EndTime)
			}
			rec.backfilled = true
		}
		s.mu.Unlock()
	}
	if len(todo) > 0 {
		level.Debug(r.Logger).Log("msg", "clients backfilled", "clients", len(todo))
	}
	return nil
}

// needBackfill returns up to n clients, in name order, that still need the lookup.
func (s *clientsState) needBackfill(success []int, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name, rec := range s.clients {
		if !rec.backfilled && rec.lastGood(success).IsZero() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), n)]
}

// statusRanges folds the success statuses into runs of consecutive codes, each one OData clause
// (the filter has no "or" to rely on): [0, 1] is one run, one request per client.
func statusRanges(statuses []int) [][2]int {
	sorted := slices.Clone(statuses)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var out [][2]int
	for _, st := range sorted {
		if n := len(out); n > 0 && out[n-1][1] == st-1 {
			out[n-1][1] = st
			continue
		}
		out = append(out, [2]int{st, st})
	}
	return out
}

func backfillFilter(client string, rg [2]int) string {
	var b strings.Builder
	b.WriteString("jobType eq 'BACKUP' and state eq 'DONE' and clientName eq ")
	b.WriteString(nbu.ODataQuote(client))
	if rg[0] == rg[1] {
		b.WriteString(" and status eq " + strconv.Itoa(rg[0]))
	} else {
		b.WriteString(" and status ge " + strconv.Itoa(rg[0]) + " and status le " + strconv.Itoa(rg[1]))
	}
	return b.String()
}
