package prober

import (
	"maps"
	"slices"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descClientLastCopy = newDesc("nbu_client_last_copy_success_timestamp_seconds",
		`End time of the client's newest copy job seen in the job stream with a status in clients.success_statuses: kind="duplication" (jobType DUPLICATE, SNAPDUPE), kind="replication" (REPLICATE, SNAPREPLICATE, CLOUD_SNAPSHOT_REPLICATE, IMPORT, REPLICA_IMPORT, SNAPIMPORT); no series while the stream has shown none.`,
		"client", "kind")
	descClientCopiesDropped = newDesc("nbu_client_copies_dropped",
		"Clients of copy jobs left out of nbu_client_last_copy_success_timestamp_seconds because the target has more than clients.max_series.")
)

// copyKind is what a copy job makes of a backup image: another copy in the same domain
// (duplication), or one in another domain or on other storage hardware (replication, and on the
// receiving domain the import of a replicated image).
type copyKind int

const (
	copyDuplication copyKind = iota
	copyReplication
	copyKinds
)

var copyKindNames = [copyKinds]string{"duplication", "replication"}

// copyKindOf maps the spec's jobType values that copy an image to their kind. IMPORT is the
// import of Auto Image Replication on the target domain (bpimport), and also an image imported
// from media by hand: both put a copy of the client's backup into this domain.
func copyKindOf(jobType string) (copyKind, bool) {
	switch jobType {
	case "DUPLICATE", "SNAPDUPE":
		return copyDuplication, true
	case "REPLICATE", "SNAPREPLICATE", "CLOUD_SNAPSHOT_REPLICATE", "IMPORT", "REPLICA_IMPORT", "SNAPIMPORT":
		return copyReplication, true
	}
	return 0, false
}

// clientCopies follows each client's newest successful copy of each kind (Unix nanoseconds, 0:
// none), at most clients.max_series clients; guarded by clientsState.mu. It is apart from the
// clients' records: a client known only from copies (the target domain of a replication) has no
// backups here, and must not be reported as never backed up.
type clientCopies struct {
	last    map[string]*[copyKinds]int64
	sorted  []string // last's keys, sorted; nil when a client was added
	dropped hashSet
}

// observeCopy folds a finished copy job into its client's record.
func (s *clientsState) observeCopy(j *nbu.Job) {
	kind, ok := copyKindOf(j.JobType)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.success, int(j.Status)) {
		return
	}
	c := &s.copies
	name := redact.CutUTF8(j.ClientName, maxStoredLabelBytes)
	rec := c.last[name]
	if rec == nil {
		if len(c.last) >= s.limit() {
			c.dropped.add(name)
			return
		}
		if c.last == nil {
			c.last = map[string]*[copyKinds]int64{}
		}
		rec = &[copyKinds]int64{}
		c.last[name], c.sorted = rec, nil
	}
	if end := j.EndTime.UnixNano(); end > rec[kind] {
		rec[kind] = end
	}
}

// export writes each client's newest copies, in name order.
func (c *clientCopies) export(out *metricSet) {
	if c.sorted == nil && len(c.last) > 0 {
		c.sorted = slices.Sorted(maps.Keys(c.last))
	}
	for _, n := range c.sorted {
		for k, end := range c.last[n] {
			if end != 0 {
				out.gauge(descClientLastCopy, float64(end)/float64(time.Second), n, copyKindNames[k])
			}
		}
	}
	out.gauge(descClientCopiesDropped, float64(c.dropped.len()))
}
