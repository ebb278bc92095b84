package fakenbu

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Readers walk pages while a writer upserts; run with -race this checks the
// locking of the data and of the lazily built indexes. Each walk must still
// return every original job exactly once: the writer only touches jobs the
// readers' filter excludes.
func TestConcurrentReadsAndWrites(t *testing.T) {
	jobs := GenerateJobs(2, 300, time.Hour, testNow)
	s, ts := newTestServer(t, Options{})
	s.SetJobs(jobs)
	s.SetStorageUnits(DemoStorageUnits())

	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.UpsertJob(Job{JobID: 10000 + i%50, JobType: "BACKUP", State: "ACTIVE",
				StartTime: testNow.Add(time.Duration(i%1000) * time.Second)})
		}
	}()

	sorts := []string{"-startTime", "jobId", "-lastUpdateTime", "endTime"}
	errs := make(chan error, len(sorts))
	var readers sync.WaitGroup
	for _, sortParam := range sorts {
		readers.Add(1)
		go func() {
			defer readers.Done()
			errs <- walkConcurrently(t.Context(), ts, sortParam, jobs)
		}()
	}
	readers.Wait()
	close(stop)
	<-writerDone
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func walkConcurrently(ctx context.Context, ts *httptest.Server, sortParam string, jobs []Job) error {
	seen := map[int64]int{}
	q := url.Values{"page[limit]": {"25"}, "sort": {sortParam}, "filter": {"jobId le 300"}}
	for {
		r, err := fetch(ctx, ts, "/netbackup/admin/jobs", q, nil)
		if err != nil {
			return err
		}
		if r.status != http.StatusOK {
			return fmt.Errorf("sort %s: status %d: %s", sortParam, r.status, r.body)
		}
		var p wireJobs
		if err := json.Unmarshal(r.body, &p); err != nil {
			return fmt.Errorf("sort %s: %w", sortParam, err)
		}
		for _, d := range p.Data {
			seen[int64(d.Attributes["jobId"].(float64))]++
		}
		if p.next() == "" {
			break
		}
		q.Set("page[after]", p.next())
		if _, err := fetch(ctx, ts, "/netbackup/storage/storage-units", nil, nil); err != nil {
			return err
		}
	}
	for _, j := range jobs {
		if seen[j.JobID] != 1 {
			return fmt.Errorf("sort %s: job %d seen %d times, want 1", sortParam, j.JobID, seen[j.JobID])
		}
	}
	if len(seen) != len(jobs) {
		return fmt.Errorf("sort %s: saw %d distinct jobs, want %d", sortParam, len(seen), len(jobs))
	}
	return nil
}
