package fakenbu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// weighted picks values with relative weights.
type weighted[T any] struct {
	vals    []T
	weights []int
	total   int
}

func newWeighted[T any](vals []T, weights []int) weighted[T] {
	w := weighted[T]{vals: vals, weights: weights}
	for _, wt := range weights {
		w.total += wt
	}
	return w
}

func (w weighted[T]) pick(r *rand.Rand) T {
	n := r.IntN(w.total)
	for i, wt := range w.weights {
		if n < wt {
			return w.vals[i]
		}
		n -= wt
	}
	return w.vals[len(w.vals)-1]
}

type genPolicy struct {
	name, policyType string
	schedules        []string // scheduleType values; names are derived
	stu              string
}

// scheduleName is the schedule label a policy would give a schedule type.
func scheduleName(scheduleType string) string {
	switch scheduleType {
	case "FULL_BACKUP":
		return "Full"
	case "DIFFERENTIAL_INCREMENTAL_BACKUP":
		return "Diff-Inc"
	case "CUMULATIVE_INCREMENTAL_BACKUP":
		return "Cum-Inc"
	case "APPLICATION_BACKUP":
		return "Default-Application-Backup"
	case "AUTOMATIC_FULL_BACKUP":
		return "Auto-Full"
	case "ARCHIVE_REDO_LOG_BACKUP":
		return "Arch-Logs"
	case "TRANSACTION_LOG_BACKUP":
		return "TLog"
	}
	return ""
}

// genState is one generator run: its random source and the weighted tables
// drawn from.
type genState struct {
	r        *rand.Rand
	jobTypes weighted[string]
	policies weighted[int]
	statuses weighted[int64]
	pols     []genPolicy
	clients  []string
}

func newGenState(seed int64) *genState {
	g := &genState{r: rand.New(rand.NewPCG(uint64(seed), 0x6e62755f66616b65))}
	g.jobTypes = newWeighted(
		[]string{"BACKUP", "DUPLICATE", "IMAGEDELETE", "RESTORE", "REPLICATE", "DBBACKUP", "VERIFY", "SNAPDUPE", "INDEXING"},
		[]int{76, 8, 5, 3, 3, 2, 1, 1, 1})
	g.pols = []genPolicy{
		{"FS_Linux_Daily", "STANDARD", []string{"FULL_BACKUP", "DIFFERENTIAL_INCREMENTAL_BACKUP"}, "stu-msdp-01"},
		{"FS_Linux_Weekly", "STANDARD", []string{"FULL_BACKUP"}, "stu-adv-01"},
		{"VM_Prod", "VMWARE", []string{"FULL_BACKUP", "DIFFERENTIAL_INCREMENTAL_BACKUP"}, "stu-msdp-01"},
		{"VM_Dev", "VMWARE", []string{"FULL_BACKUP", "CUMULATIVE_INCREMENTAL_BACKUP"}, "stu-msdp-worm"},
		{"WIN_FileServers", "WINDOWS_NT", []string{"FULL_BACKUP", "DIFFERENTIAL_INCREMENTAL_BACKUP"}, "stu-msdp-01"},
		// ORACLE is what real servers send although the spec's enum lacks it.
		{"ORA_Prod", "ORACLE", []string{"APPLICATION_BACKUP", "AUTOMATIC_FULL_BACKUP", "ARCHIVE_REDO_LOG_BACKUP"}, "stu-msdp-01"},
		{"SQL_Prod", "SQL_SERVER", []string{"APPLICATION_BACKUP", "TRANSACTION_LOG_BACKUP"}, "stu-msdp-worm"},
		{"NDMP_Filer01", "NDMP", []string{"FULL_BACKUP", "DIFFERENTIAL_INCREMENTAL_BACKUP"}, "stu-tape-hcart"},
	}
	g.policies = newWeighted([]int{0, 1, 2, 3, 4, 5, 6, 7}, []int{22, 6, 25, 8, 14, 10, 9, 6})
	g.statuses = newWeighted(
		[]int64{0, 1, 196, 150, 13, 58, 84, 50, 24, 2074},
		[]int{800, 90, 30, 20, 10, 10, 10, 10, 10, 10})
	for _, prefix := range []string{"web", "db", "app", "file", "mail", "k8s"} {
		for i := 1; i <= 8; i++ {
			g.clients = append(g.clients, fmt.Sprintf("%s%02d.example.com", prefix, i))
		}
	}
	return g
}

// logNormalKB draws a size around median KB with a wide spread.
func (g *genState) logNormalKB(median float64) int64 {
	kb := median * math.Exp(g.r.NormFloat64()*1.3)
	return int64(min(max(kb, 1), 2e9))
}

// GenerateJobs returns n deterministic jobs (same seed, same jobs) with start
// times spread over [now-window, now] and JobIDs 1..n in start order. The mix
// is mostly successful BACKUP jobs across several policy types, with
// DUPLICATE, REPLICATE, IMAGEDELETE, RESTORE and other job types, partial
// successes and failures (status 1, 13, 50, 58, 150, 196...), half the failed
// backups followed by a good one of the same policy, client and schedule type,
// child jobs, and a few ACTIVE and QUEUED jobs without an end time, the oldest
// running backup hung (not updated since a minute after it started).
func GenerateJobs(seed int64, n int, window time.Duration, now time.Time) []Job {
	if n <= 0 {
		return []Job{}
	}
	if window <= 0 {
		window = time.Hour
	}
	now = now.Truncate(time.Millisecond)
	g := newGenState(seed)
	r := g.r
	jobs := make([]Job, 0, n)
	lastRoot := map[string]int{} // policy name -> index of its latest root job
	for i := range n {
		slot := (float64(i) + r.Float64()) / float64(n)
		start := now.Add(-window + time.Duration(slot*float64(window))).Truncate(time.Millisecond)
		j := Job{JobID: int64(i + 1), StartTime: start, JobType: g.jobTypes.pick(r)}
		pol := g.pols[g.policies.pick(r)]
		client := g.clients[r.IntN(len(g.clients))]
		meanDur := 2 * time.Minute

		switch j.JobType {
		case "BACKUP":
			j.PolicyName, j.PolicyType, j.ClientName = pol.name, pol.policyType, client
			j.ScheduleType = pol.schedules[r.IntN(len(pol.schedules))]
			j.ScheduleName = scheduleName(j.ScheduleType)
			j.DestinationStorageUnitName = pol.stu
			j.DestinationMediaServerName = []string{"media01.example.com", "media02.example.com"}[r.IntN(2)]
			meanDur = 10 * time.Minute
			if root, ok := lastRoot[pol.name]; ok && start.Sub(jobs[root].StartTime) < 15*time.Minute && r.IntN(2) == 0 {
				j.ParentJobID = jobs[root].JobID
				j.ScheduleType, j.ScheduleName = jobs[root].ScheduleType, jobs[root].ScheduleName
			} else {
				lastRoot[pol.name] = i
			}
		case "DUPLICATE", "REPLICATE", "VERIFY", "SNAPDUPE":
			j.PolicyName, j.PolicyType, j.ClientName = "SLP_MSDP_to_Cloud", pol.policyType, client
			if j.JobType == "REPLICATE" {
				j.PolicyName = "SLP_Replicate_DR"
			}
			j.DestinationStorageUnitName = "stu-cloud-s3"
			j.DestinationMediaServerName = "media02.example.com"
			meanDur = 6 * time.Minute
		case "RESTORE":
			j.PolicyType, j.ClientName = pol.policyType, client
			meanDur = 5 * time.Minute
		case "DBBACKUP":
			j.PolicyName, j.PolicyType, j.ClientName = "NBU_Catalog", "NBU_CATALOG", "nbu-primary.example.com"
			j.ScheduleType, j.ScheduleName = "FULL_BACKUP", "Full"
			j.DestinationStorageUnitName = "stu-msdp-01"
		default: // IMAGEDELETE, INDEXING: housekeeping without policy or client
			j.PolicyType, j.ScheduleType = "STANDARD", "FULL_BACKUP"
			meanDur = 20 * time.Second
		}

		// Jobs that move data take as long as their size needs at their
		// rate, on top of some overhead, so served transfer rates stay sane.
		movesData := j.JobType == "BACKUP" || j.JobType == "DBBACKUP" ||
			j.JobType == "DUPLICATE" || j.JobType == "REPLICATE" || j.JobType == "RESTORE"
		rate := int64(20_000 + r.IntN(280_000)) // KB/s
		full := j.ScheduleType == "FULL_BACKUP" || j.ScheduleType == "APPLICATION_BACKUP" || j.ScheduleType == "AUTOMATIC_FULL_BACKUP"
		var sizeKB int64
		dur := time.Duration(r.ExpFloat64() * float64(meanDur))
		if movesData {
			median := 3e5
			if full {
				median = 4e6
			}
			sizeKB = g.logNormalKB(median)
			dur += time.Duration(sizeKB/rate) * time.Second
		}
		dur = min(max(dur, 3*time.Second), 4*time.Hour).Truncate(time.Millisecond)

		roll := r.IntN(1000)
		switch {
		case roll < 10:
			j.State = "QUEUED"
			j.JobQueueReason = []int64{2, 5, 17, 31}[r.IntN(4)]
			j.JobQueueResource = j.DestinationStorageUnitName
			j.LastUpdateTime = start
		case roll < 30 || !start.Add(dur).Before(now):
			j.State = "ACTIVE"
			j.LastUpdateTime = now.Add(-time.Duration(r.IntN(30_000)) * time.Millisecond)
			if j.LastUpdateTime.Before(start) {
				j.LastUpdateTime = start
			}
		default:
			j.State = "DONE"
			j.EndTime = start.Add(dur)
			j.LastUpdateTime = j.EndTime.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
			j.Status = g.statuses.pick(r)
		}

		if movesData && j.State != "QUEUED" {
			kb := sizeKB
			if j.State == "ACTIVE" {
				kb = min(kb, rate*int64(now.Sub(start)/time.Second))
			}
			if j.Status > 1 {
				kb = int64(r.IntN(1000))
			}
			j.KilobytesTransferred = kb
			if kb > 0 {
				j.NumberOfFiles = 1 + kb/int64(64+r.IntN(2000))
			}
			msdp := j.DestinationStorageUnitName == "stu-msdp-01" || j.DestinationStorageUnitName == "stu-msdp-worm"
			if j.JobType == "BACKUP" && msdp && j.Status <= 1 && kb > 0 {
				ratio := 1 + r.ExpFloat64()*6
				if !full {
					ratio *= 2
				}
				j.DedupRatio = math.Round(min(ratio, 60)*100) / 100
			}
		}
		jobs = append(jobs, j)
	}
	retrySucceeds(jobs)
	hangOldestBackup(jobs)
	return jobs
}

// retrySucceeds makes every second failed backup (a root BACKUP job, DONE, status above 1) be
// followed by a good one of the same policy, client and schedule type, as a retry or the next
// run would be: the earliest good root backup of the policy that ends after it takes its client
// and schedule. The other failed backups stay the newest of their kind. It draws nothing from
// the random source, so the rest of the jobs stay as they were.
func retrySucceeds(jobs []Job) {
	taken := map[int]bool{}
	failed := 0
	for i := range jobs {
		f := &jobs[i]
		if f.JobType != "BACKUP" || f.State != "DONE" || f.Status <= 1 || f.ParentJobID != 0 {
			continue
		}
		if failed++; failed%2 == 1 {
			continue
		}
		for k := i + 1; k < len(jobs); k++ {
			g := &jobs[k]
			if g.JobType == "BACKUP" && g.State == "DONE" && g.Status == 0 && g.ParentJobID == 0 && g.PolicyName == f.PolicyName &&
				g.EndTime.After(f.EndTime) && !taken[k] {
				g.ClientName, g.ScheduleType, g.ScheduleName = f.ClientName, f.ScheduleType, f.ScheduleName
				taken[k] = true
				break
			}
		}
	}
}

// hangOldestBackup makes the oldest running backup hang: NetBackup has not updated it since a
// minute after it started, so its byte count has not moved since then.
func hangOldestBackup(jobs []Job) {
	for i := range jobs { // in start order
		j := &jobs[i]
		if j.JobType != "BACKUP" || j.State != "ACTIVE" {
			continue
		}
		if hung := j.StartTime.Add(time.Minute); hung.Before(j.LastUpdateTime) {
			j.LastUpdateTime = hung
			j.KilobytesTransferred = min(j.KilobytesTransferred, 60*1024)
		}
		return
	}
}

const tib = int64(1) << 40

// DemoStorageUnits returns a small fixed set: two MSDP units (one WORM and
// nearly full), an AdvancedDisk unit, a cloud unit and a tape unit; the
// cloud and tape units report no capacity.
func DemoStorageUnits() []StorageUnit {
	return []StorageUnit{
		{Name: "stu-msdp-01", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk",
			StorageCategory: "MSDP", TotalCapacityBytes: 100 * tib, UsedCapacityBytes: 62 * tib, FreeCapacityBytes: 38 * tib,
			MaxConcurrentJobs: 200, MaxFragmentSizeMegabytes: 51200, Accelerator: true, ReplicationCapable: true,
			InstantAccessEnabled: true, DiskPoolName: "dp-msdp-01", MediaServer: "media01.example.com"},
		{Name: "stu-msdp-worm", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk",
			StorageCategory: "MSDP", TotalCapacityBytes: 50 * tib, UsedCapacityBytes: 49 * tib, FreeCapacityBytes: 1 * tib,
			MaxConcurrentJobs: 100, MaxFragmentSizeMegabytes: 51200, Accelerator: true, WormCapable: true, UseWorm: true,
			DiskPoolName: "dp-msdp-worm", MediaServer: "media01.example.com"},
		{Name: "stu-adv-01", StorageType: "DISK", StorageSubType: "AdvancedDisk", StorageServerType: "AdvancedDisk",
			StorageCategory: "ADVANCED_DISK", TotalCapacityBytes: 20 * tib, UsedCapacityBytes: 9 * tib, FreeCapacityBytes: 11 * tib,
			MaxConcurrentJobs: 50, MaxFragmentSizeMegabytes: 524288, DiskPoolName: "dp-adv-01", MediaServer: "media02.example.com"},
		{Name: "stu-cloud-s3", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk",
			StorageCategory: "CLOUD", MaxConcurrentJobs: 40, MaxFragmentSizeMegabytes: 51200, IsCloudSTU: true,
			ReplicationCapable: true, DiskPoolName: "dp-cloud-s3", MediaServer: "media02.example.com"},
		{Name: "stu-tape-hcart", StorageType: "TAPE", StorageSubType: "hcart", StorageServerType: "",
			StorageCategory: "TAPE", MaxConcurrentDrives: 4, MaxFragmentSizeMegabytes: 1048576},
	}
}

// DemoDiskPools returns the disk pools behind DemoStorageUnits: the cloud
// pool is DOWN, the WORM pool is 98% full (at its high water mark), and the
// AdvancedDisk pool is UP with one of its two volumes DOWN.
func DemoDiskPools() []DiskPool {
	return []DiskPool{
		{Name: "dp-msdp-01", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP",
			RawSizeBytes: 102 * tib, UsableSizeBytes: 100 * tib, AvailableSpaceBytes: 38 * tib, UsedCapacityBytes: 62 * tib,
			HighWaterMark: 98, LowWaterMark: 80, StorageServer: "media01.example.com",
			Volumes: []DiskVolume{{Name: "dp-msdp-01_vol1", State: "UP", RawSizeBytes: 51 * tib, FreeSizeBytes: 19 * tib},
				{Name: "dp-msdp-01_vol2", State: "UP", RawSizeBytes: 51 * tib, FreeSizeBytes: 19 * tib}}},
		{Name: "dp-msdp-worm", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP",
			RawSizeBytes: 51 * tib, UsableSizeBytes: 50 * tib, AvailableSpaceBytes: 1 * tib, UsedCapacityBytes: 49 * tib,
			HighWaterMark: 98, LowWaterMark: 80, WormCapable: true, StorageServer: "media01.example.com"},
		{Name: "dp-adv-01", SType: "AdvancedDisk", StorageCategory: "ADVANCED_DISK", DiskPoolState: "UP",
			RawSizeBytes: 20 * tib, UsableSizeBytes: 20 * tib, AvailableSpaceBytes: 11 * tib, UsedCapacityBytes: 9 * tib,
			HighWaterMark: 95, LowWaterMark: 80, StorageServer: "media02.example.com",
			Volumes: []DiskVolume{{Name: "adv_vol_a", State: "UP", RawSizeBytes: 10 * tib, FreeSizeBytes: 6 * tib},
				{Name: "adv_vol_b", State: "DOWN", RawSizeBytes: 10 * tib, FreeSizeBytes: 5 * tib}}},
		{Name: "dp-cloud-s3", SType: "PureDisk", StorageCategory: "CLOUD", DiskPoolState: "DOWN",
			RawSizeBytes: 2048 * tib, UsableSizeBytes: 2048 * tib, AvailableSpaceBytes: 1856 * tib, UsedCapacityBytes: 192 * tib,
			HighWaterMark: 98, LowWaterMark: 80, StorageServer: "media02.example.com"},
	}
}
