package fakenbu

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

func TestGenerateJobsDeterministic(t *testing.T) {
	a := GenerateJobs(42, 500, time.Hour, testNow)
	b := GenerateJobs(42, 500, time.Hour, testNow)
	c := GenerateJobs(43, 500, time.Hour, testNow)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different jobs")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same jobs")
	}
	if len(GenerateJobs(1, 0, time.Hour, testNow)) != 0 {
		t.Error("n=0 gave jobs")
	}
}

func TestGenerateJobsShape(t *testing.T) {
	const n = 5000
	window := 6 * time.Hour
	jobs := GenerateJobs(1, n, window, testNow)
	if len(jobs) != n {
		t.Fatalf("got %d jobs", len(jobs))
	}
	ids := map[int64]Job{}
	count := map[string]int{}
	for i, j := range jobs {
		if j.JobID != int64(i+1) {
			t.Fatalf("job %d has id %d, want ids 1..n in start order", i, j.JobID)
		}
		if i > 0 && j.StartTime.Before(jobs[i-1].StartTime) {
			t.Fatalf("job %d starts before job %d", j.JobID, jobs[i-1].JobID)
		}
		if j.StartTime.Before(testNow.Add(-window)) || j.StartTime.After(testNow) {
			t.Errorf("job %d starts at %v, outside the window", j.JobID, j.StartTime)
		}
		for _, tm := range []time.Time{j.StartTime, j.EndTime, j.LastUpdateTime} {
			if tm.Nanosecond()%int(time.Millisecond) != 0 {
				t.Errorf("job %d has sub-millisecond time %v", j.JobID, tm)
			}
		}
		switch j.State {
		case "DONE":
			if j.EndTime.Before(j.StartTime) || j.EndTime.After(testNow) || j.LastUpdateTime.Before(j.EndTime) {
				t.Errorf("done job %d: start %v end %v update %v", j.JobID, j.StartTime, j.EndTime, j.LastUpdateTime)
			}
		case "ACTIVE", "QUEUED":
			if !j.EndTime.IsZero() || j.Status != 0 {
				t.Errorf("%s job %d has end time %v, status %d", j.State, j.JobID, j.EndTime, j.Status)
			}
			if (j.State == "QUEUED") != (j.JobQueueReason != 0) {
				t.Errorf("%s job %d has jobQueueReason %d", j.State, j.JobID, j.JobQueueReason)
			}
		default:
			t.Errorf("job %d has state %q", j.JobID, j.State)
		}
		if j.ParentJobID != 0 {
			p, ok := ids[j.ParentJobID]
			if !ok || p.ParentJobID != 0 || p.PolicyName != j.PolicyName {
				t.Errorf("job %d has parent %d that is not an earlier root job of its policy", j.JobID, j.ParentJobID)
			}
			count["child"]++
		}
		ids[j.JobID] = j
		count["type:"+j.JobType]++
		count["policy:"+j.PolicyType]++
		count["state:"+j.State]++
		if j.State == "DONE" {
			count["status:"+strconv.FormatInt(j.Status, 10)]++
		}
		if j.DedupRatio > 1 {
			count["dedup"]++
		}
		if j.KilobytesTransferred > 0 && j.NumberOfFiles > 0 {
			count["data"]++
		}
	}
	if count["type:BACKUP"] < n/2 || count["status:0"] < count["state:DONE"]/2 {
		t.Errorf("BACKUP %d and status 0 %d should be the majority", count["type:BACKUP"], count["status:0"])
	}
	for _, k := range []string{"type:DUPLICATE", "type:IMAGEDELETE", "type:RESTORE", "policy:STANDARD", "policy:VMWARE",
		"policy:WINDOWS_NT", "policy:ORACLE", "status:1", "status:150", "status:196", "state:ACTIVE", "state:QUEUED",
		"child", "dedup", "data"} {
		if count[k] == 0 {
			t.Errorf("no %s in %d generated jobs", k, n)
		}
	}
}

func TestDemoStorage(t *testing.T) {
	pools := map[string]bool{}
	for _, p := range DemoDiskPools() {
		pools[p.Name] = true
		if p.AvailableSpaceBytes+p.UsedCapacityBytes != p.UsableSizeBytes {
			t.Errorf("pool %s: available + used != usable", p.Name)
		}
	}
	cats := map[string]bool{}
	for _, u := range DemoStorageUnits() {
		cats[u.StorageCategory] = true
		if u.DiskPoolName != "" && !pools[u.DiskPoolName] {
			t.Errorf("unit %s names unknown disk pool %s", u.Name, u.DiskPoolName)
		}
		if u.FreeCapacityBytes+u.UsedCapacityBytes != u.TotalCapacityBytes {
			t.Errorf("unit %s: free + used != total", u.Name)
		}
	}
	for _, c := range []string{"MSDP", "ADVANCED_DISK", "CLOUD", "TAPE"} {
		if !cats[c] {
			t.Errorf("no %s storage unit", c)
		}
	}
}
