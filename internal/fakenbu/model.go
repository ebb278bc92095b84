package fakenbu

import (
	"slices"
	"time"
)

// Job is the fake's model of one job. The JSON served for it carries the
// spec's full attribute set; the attributes not modelled here are derived
// from these fields (see jobAttributes).
//
// Times are kept to the millisecond, the precision the API serves, so that a
// filter built from a served value matches the job it came from.
type Job struct {
	JobID, ParentJobID   int64
	JobType              string // BACKUP, DUPLICATE, ...
	PolicyType           string // STANDARD, VMWARE, ...
	PolicyName           string
	ClientName           string
	ScheduleType         string // FULL_BACKUP, ...
	State                string // QUEUED, ACTIVE, DONE, ...
	Status               int64
	JobQueueReason       int64 // non-zero for QUEUED jobs
	KilobytesTransferred int64
	NumberOfFiles        int64
	DedupRatio           float64
	StartTime            time.Time
	EndTime              time.Time // zero = not ended: served without endTime
	LastUpdateTime       time.Time

	// Optional extras; empty values are served as "".
	ScheduleName               string
	DestinationStorageUnitName string
	DestinationMediaServerName string
	JobQueueResource           string
}

// StorageUnit is the fake's model of one storage unit.
type StorageUnit struct {
	Name              string
	StorageType       string // e.g. DISK, TAPE
	StorageSubType    string // e.g. PureDisk, AdvancedDisk
	StorageServerType string
	StorageCategory   string // ADVANCED_DISK, BASIC_DISK, CLOUD, CLOUD_CATALYST, MSDP, OPEN_STORAGE, TAPE

	// The capacities are served only when at least one is non-zero: the
	// spec calls them not applicable to some categories, and tape has none.
	FreeCapacityBytes  int64
	TotalCapacityBytes int64
	UsedCapacityBytes  int64

	MaxConcurrentJobs        int64 // served for every category but TAPE
	MaxConcurrentDrives      int64 // served for TAPE only (the spec's oneOf)
	MaxFragmentSizeMegabytes int64
	IsCloudSTU               bool
	WormCapable              bool
	UseWorm                  bool
	ReplicationCapable       bool
	InstantAccessEnabled     bool
	Accelerator              bool
	DiskPoolName             string // relationships.diskPool; "" = none
	MediaServer              string // mediaServerDetails[0].name; "" = none
}

// DiskPool is the fake's model of one disk pool. Without Volumes it is
// served with one disk volume whose sizes are the pool's (see ServedVolumes).
type DiskPool struct {
	Name                string
	SType               string // e.g. PureDisk, AdvancedDisk
	StorageCategory     string // ADVANCED_DISK, CLOUD, CLOUD_CATALYST, MSDP, OPEN_STORAGE
	DiskPoolState       string // UP, DOWN, TRANSIENT
	RawSizeBytes        int64
	UsableSizeBytes     int64
	AvailableSpaceBytes int64
	UsedCapacityBytes   int64
	HighWaterMark       int64 // percent
	LowWaterMark        int64 // percent
	WormCapable         bool
	ReadOnly            bool
	StorageServer       string // host of relationships.storageServers; "" = none
	Volumes             []DiskVolume
}

// DiskVolume is one of a disk pool's diskVolumes.
type DiskVolume struct {
	Name          string
	State         string // UP, DOWN, UNKNOWN
	RawSizeBytes  int64
	FreeSizeBytes int64
}

// ServedVolumes returns the disk volumes the pool is served with: Volumes, or
// when there are none one volume with the pool's sizes, DOWN unless the pool is UP.
func (p *DiskPool) ServedVolumes() []DiskVolume {
	if len(p.Volumes) > 0 {
		return slices.Clone(p.Volumes)
	}
	state := "UP"
	if p.DiskPoolState != "UP" {
		state = "DOWN"
	}
	return []DiskVolume{{Name: p.Name + "_vol1", State: state, RawSizeBytes: p.RawSizeBytes, FreeSizeBytes: p.AvailableSpaceBytes}}
}

func (j Job) normalized() Job {
	j.StartTime = j.StartTime.Truncate(time.Millisecond)
	j.EndTime = j.EndTime.Truncate(time.Millisecond)
	j.LastUpdateTime = j.LastUpdateTime.Truncate(time.Millisecond)
	return j
}

// SetJobs replaces all jobs. A later job with the same JobID replaces an
// earlier one.
func (s *Server) SetJobs(jobs []Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = make([]Job, 0, len(jobs))
	s.byID = make(map[int64]int, len(jobs))
	for _, j := range jobs {
		s.upsertLocked(j)
	}
	s.invalidateLocked()
}

// UpsertJob adds j, or replaces the job with the same JobID. The caller sets
// LastUpdateTime.
func (s *Server) UpsertJob(j Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.upsertLocked(j)
	s.invalidateLocked()
}

func (s *Server) upsertLocked(j Job) {
	j = j.normalized()
	if i, ok := s.byID[j.JobID]; ok {
		s.jobs[i] = j
		return
	}
	s.byID[j.JobID] = len(s.jobs)
	s.jobs = append(s.jobs, j)
}

// invalidateLocked drops the derived views; the caller holds mu.Lock, so no
// reader can be using them.
func (s *Server) invalidateLocked() {
	s.sorted = nil
	s.children = nil
}

// Jobs returns a copy of all jobs ordered by JobID.
func (s *Server) Jobs() []Job {
	s.mu.RLock()
	out := slices.Clone(s.jobs)
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b Job) int { return cmpInt(a.JobID, b.JobID) })
	return out
}

// CountJobs returns how many jobs match an /admin/jobs filter expression
// ("" matches all), so tests can compare a client's totals with the fake's.
func (s *Server) CountJobs(filter string) (int, error) {
	return s.countJobsBy(filter, jobFields)
}

func (s *Server) countJobsBy(filter string, fields map[string]field[Job]) (int, error) {
	pred, err := parseFilter(filter, fields)
	if err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for i := range s.jobs {
		if pred.match(&s.jobs[i]) {
			n++
		}
	}
	return n, nil
}

// SetStorageUnits replaces all storage units; they are served in this order.
func (s *Server) SetStorageUnits(u []StorageUnit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.units = slices.Clone(u)
}

// SetDiskPools replaces all disk pools; they are served in this order.
func (s *Server) SetDiskPools(p []DiskPool) { setList(s, &s.pools, p) }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
