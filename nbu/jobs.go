package nbu

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strconv"
	"time"
)

// JobsQuery selects the jobs Jobs walks.
type JobsQuery struct {
	Filter   string // OData filter, unencoded, e.g. "endTime gt 2026-01-01T00:00:00Z"; "" = none
	Sort     string // e.g. "endTime" or "-startTime"; "" = server default
	PageSize int    // 1..100; 0 = 100 (larger values are capped at 100)
	After    string // cursor to start after ("" = first page); for resuming
}

// PageStats describes a paging walk, also when it ended in an error.
type PageStats struct {
	Pages   int // pages fetched
	Records int // records passed to fn
	Skipped int // records that could not be decoded at all (logged at debug), never fatal
	// Rejected counts fields of otherwise good records that held an impossible value (a negative
	// or astronomic byte count or dedup ratio, a finished job's start time that makes its duration
	// negative or astronomic): they are passed on as 0, the record's other fields are kept.
	Rejected   int
	LastCursor string // meta.pagination.next of the last page fetched ("" when exhausted)
}

// Job is one /admin/jobs record, reduced to the fields the exporter uses.
type Job struct {
	ID           string // data[].id (string or number in the wild)
	JobID        int64
	ParentJobID  int64
	JobType      string // "BACKUP", ...; unknown values kept as-is
	PolicyType   string
	PolicyName   string
	ClientName   string
	ScheduleType string
	State        string // QUEUED, ACTIVE, REQUEUED, DONE, SUSPENDED, INCOMPLETE, or unknown
	Status       int64
	// StatusAbsent is set when the record has no status (or not a number): such a job is neither
	// a success nor a failure, and its status is not 0.
	StatusAbsent         bool
	JobQueueReason       int64
	KilobytesTransferred int64
	NumberOfFiles        int64
	DedupRatio           float64
	StartTime            time.Time // zero when absent/null/unparsable
	EndTime              time.Time
	LastUpdateTime       time.Time
}

// jobAttrs is the lenient decode target for data[].attributes; attributes
// not listed here are skipped by the decoder without being built.
type jobAttrs struct {
	JobID                lInt    `json:"jobId"`
	ParentJobID          lInt    `json:"parentJobId"`
	JobType              lEnum   `json:"jobType"`
	PolicyType           lEnum   `json:"policyType"`
	PolicyName           lString `json:"policyName"`
	ClientName           lString `json:"clientName"`
	ScheduleType         lEnum   `json:"scheduleType"`
	State                lEnum   `json:"state"`
	Status               optInt  `json:"status"`
	JobQueueReason       lInt    `json:"jobQueueReason"`
	KilobytesTransferred lInt    `json:"kilobytesTransferred"`
	NumberOfFiles        lInt    `json:"numberOfFiles"`
	DedupRatio           lFloat  `json:"dedupRatio"`
	StartTime            lTime   `json:"startTime"`
	EndTime              lTime   `json:"endTime"`
	LastUpdateTime       lTime   `json:"lastUpdateTime"`
}

// Jobs walks every page of GET /admin/jobs (cursor paging) and calls fn for
// each job, decoding each response as a stream (jobsDecoder: one pass, only
// the fields of Job) so that the jobs of a window are never held in memory
// together. fn returning an error stops the walk and is returned wrapped.
// The *Job passed to fn is reused after fn returns.
//
// fn runs while the page's HTTP request holds one of the client's
// MaxConcurrentRequests slots, so fn must not wait on another request
// through the same client.
func (c *Client) Jobs(ctx context.Context, q JobsQuery, fn func(*Job) error) (PageStats, error) {
	var stats PageStats
	if fn == nil {
		return stats, errors.New("nbu: Jobs called with a nil callback")
	}
	dec := newJobsDecoder(
		func(j *Job) error {
			stats.Records++
			stats.Rejected += rejectImpossible(j)
			return fn(j)
		},
		skipLogger(ctx, jobsEndpoint, &stats))
	defer dec.release()
	params := url.Values{}
	if q.Filter != "" {
		params.Set("filter", q.Filter)
	}
	if q.Sort != "" {
		params.Set("sort", q.Sort)
	}
	limit := cursorLimit(q.PageSize)
	err := c.cursorPages(ctx, cursorQuery{endpoint: jobsEndpoint, params: params, limit: limit,
		after: q.After, what: "jobs callback"}, &stats, func(r io.Reader) (string, error) {
		err := dec.decodePage(r)
		return dec.page.nextCursor(limit), err
	})
	return stats, err
}

// nextCursor is the cursor of the page after this one ("" for the last page): meta.pagination.next,
// or, on a page with no top-level meta that is full (limit records), its last record's
// meta.page.cursor. A page of fewer records is the last; a full last page costs one request for
// an empty one.
func (p *jobsPageInfo) nextCursor(limit int) string {
	if p.hasMeta || p.records < limit {
		return string(p.next)
	}
	var meta struct {
		Page struct {
			Cursor lString `json:"cursor"`
		} `json:"page"`
	}
	_ = decodeLenientBytes(p.lastMeta, &meta)
	return string(meta.Page.Cursor)
}

func (a *jobAttrs) toJob(j *Job, id string) {
	if id == "" && a.JobID != 0 {
		id = strconv.FormatInt(int64(a.JobID), 10)
	}
	if a.JobID == 0 && id != "" {
		// attributes.jobId missing: data[].id is the job id (JSON:API), and jobs told apart by
		// id must not collapse into job 0.
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			a.JobID = lInt(n)
		}
	}
	*j = Job{
		ID:                   id,
		JobID:                int64(a.JobID),
		ParentJobID:          int64(a.ParentJobID),
		JobType:              string(a.JobType),
		PolicyType:           string(a.PolicyType),
		PolicyName:           string(a.PolicyName),
		ClientName:           string(a.ClientName),
		ScheduleType:         string(a.ScheduleType),
		State:                string(a.State),
		Status:               a.Status.v,
		StatusAbsent:         !a.Status.set,
		JobQueueReason:       int64(a.JobQueueReason),
		KilobytesTransferred: int64(a.KilobytesTransferred),
		NumberOfFiles:        int64(a.NumberOfFiles),
		DedupRatio:           float64(a.DedupRatio),
		StartTime:            time.Time(a.StartTime),
		EndTime:              time.Time(a.EndTime),
		LastUpdateTime:       time.Time(a.LastUpdateTime),
	}
}

// maxExactCount is 2^53, past which a float64 (what Prometheus keeps) is no longer exact: no job
// moves 8 PiB or holds 9e15 files, so a value outside 0..2^53 is a broken or hostile record.
const maxExactCount = 1 << 53

// maxDedupRatio is the highest deduplication ratio a job can report: 10,000 to 1 is far past what
// deduplication achieves (tens to one, a few hundred for identical data), so a ratio above it, or
// below 0, is a broken or hostile record.
const maxDedupRatio = 10_000

// maxJobDuration is the longest a finished job can have run (endTime - startTime): ten years, far
// past any job's retries and suspensions. A longer one, or one that ends before it starts, has a
// broken start or end time.
const maxJobDuration = 10 * 365 * 24 * time.Hour

// rejectImpossible zeroes the fields of j that cannot be real, so that a gauge never turns negative
// and a counter never goes down, and returns how many it zeroed: byte and file counts, the dedup
// ratio, and the start time of a finished job whose duration is impossible (the start time of a job
// still running is kept: its end time means nothing yet).
func rejectImpossible(j *Job) int {
	n := 0
	if j.KilobytesTransferred < 0 || j.KilobytesTransferred > maxExactCount/1024 {
		j.KilobytesTransferred = 0
		n++
	}
	if j.NumberOfFiles < 0 || j.NumberOfFiles > maxExactCount {
		j.NumberOfFiles = 0
		n++
	}
	if j.DedupRatio < 0 || j.DedupRatio > maxDedupRatio {
		j.DedupRatio = 0
		n++
	}
	if j.State == "DONE" && !j.StartTime.IsZero() && !j.EndTime.IsZero() {
		if d := j.EndTime.Sub(j.StartTime); d < 0 || d > maxJobDuration {
			j.StartTime = time.Time{}
			n++
		}
	}
	return n
}
