package prober

import (
	"math"
	"slices"
	"sort"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// minuteBucket holds the finished jobs whose end time falls in one minute: their aggregates, and
// their ids, so that a job seen again (updated after it finished, or re-read by an overlapping
// query) is never counted twice. A job's bucket follows from its end time, which NetBackup does not
// change once the job is DONE, so one bucket is all there is to check.
//
// A bucket is kept for the whole window, one for each minute, so it is kept small: the ids in a
// compact set (idSet), and the aggregates by label set number (jobsState.keys), not by the three
// strings, in a slice sorted by that number rather than a map of pointers. A minute has few label
// sets (about 120 of the 359 in BenchmarkWindowBytesPerJob), so a binary search finds one, and
// an insert moves few entries; an entry costs 88 bytes, where a map slot, its pointer and a
// jobSums cost about 165.
type minuteBucket struct {
	ids   idSet
	stats []bucketEntry // sorted by key
}

type bucketEntry struct {
	key int32
	bucketSums
}

// bucketSums is jobSums for the jobs of one minute and label set, in half the room: the counts are
// 32 bits, which a minute's jobs cannot pass in practice (2^31 jobs a minute is 36 million a
// second), the sums that a single job can push past 2^31 (bytes, files, durations, ratios) stay 64.
// add guards the counts rather than let them wrap or saturate (see add).
type bucketSums struct {
	bytes, files          int64
	durMillis, dedupMilli int64
	count                 int32
	durCount, dedupCount  int32
	durBuckets            [len(jobDurationBucketsArr)]int32 // per bucket, not cumulative
}

// sums returns the entry of label set key, adding an empty one in its place if there is none.
func (b *minuteBucket) sums(key int32) *bucketSums {
	// A binary search by hand: through BinarySearchFunc's comparison closure it was a tenth of
	// folding a job.
	i, j := 0, len(b.stats)
	for i < j {
		h := int(uint(i+j) >> 1)
		if b.stats[h].key < key {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < len(b.stats) && b.stats[i].key == key {
		return &b.stats[i].bucketSums
	}
	if len(b.stats) == cap(b.stats) {
		// By a quarter, as the id sets grow: the bucket is kept for the window's length.
		grown := make([]bucketEntry, len(b.stats), len(b.stats)+max(4, len(b.stats)/4))
		copy(grown, b.stats)
		b.stats = grown
	}
	b.stats = slices.Insert(b.stats, i, bucketEntry{key: key})
	return &b.stats[i].bucketSums
}

// jobFigures is what one finished job adds to the sums, worked out once so that its bucket and the
// window add the very same values: the window must stay the exact sum of its buckets.
type jobFigures struct {
	bytes, files          int64
	durMillis, dedupMilli int64
	durBucket             int // in durBuckets; len(durBuckets) when past the last bound
	hasDur, hasDedup      bool
}

// Job durations span seconds (image cleanup) to a day (large full backups).
var jobDurationBucketsArr = [...]float64{60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400}

func figuresOf(j *nbu.Job) jobFigures {
	f := jobFigures{bytes: j.KilobytesTransferred * 1024, files: j.NumberOfFiles}
	// 0 = the job did not deduplicate (not MSDP, no data): not a ratio of 0. nbu rejects ratios
	// above 10,000 and durations past ten years, so one job's figures are far from 2^63; their
	// sums saturate (satAdd).
	if j.DedupRatio > 0 {
		f.hasDedup, f.dedupMilli = true, int64(math.Round(j.DedupRatio*1000))
	}
	if !j.StartTime.IsZero() && !j.EndTime.Before(j.StartTime) {
		d := j.EndTime.Sub(j.StartTime)
		f.hasDur, f.durMillis = true, d.Milliseconds()
		f.durBucket = sort.SearchFloat64s(jobDurationBucketsArr[:], d.Seconds())
	}
	return f
}

// add adds a job's figures and reports whether it did. A bucket whose count is at 2^31-1 takes no
// more jobs: saturating would make it differ from what the window added, so that its leaving would
// leave jobs behind, and wrapping would make it negative. The other counts never exceed count. The
// caller leaves such a job out of the window too; it cannot happen short of a primary inventing
// 36 million jobs a second.
func (s *bucketSums) add(f jobFigures) bool {
	if s.count == math.MaxInt32 {
		return false
	}
	s.count++
	s.bytes, s.files = satAdd(s.bytes, f.bytes), satAdd(s.files, f.files)
	if f.hasDedup {
		s.dedupCount++
		s.dedupMilli = satAdd(s.dedupMilli, f.dedupMilli)
	}
	if f.hasDur {
		s.durCount++
		s.durMillis = satAdd(s.durMillis, f.durMillis)
		if f.durBucket < len(s.durBuckets) {
			s.durBuckets[f.durBucket]++
		}
	}
	return true
}
