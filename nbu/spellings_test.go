package nbu

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// allEnums lists every enumeration of spellings.go.
var allEnums = []*Enum{PolicyTypes, JobTypes, JobStates, StorageCategories, DiskPoolStates, DiskVolumeStates,
	DriveTypes, RobotTypes, DriveStatuses, PathStatuses, DriveControls, MediaTypes, MediaStatusFlags, PoolTypes,
	HostStatuses, AlertSeverities, AlertCategories, ScanResults}

func TestEnumSpellings(t *testing.T) {
	for _, tt := range []struct {
		enum     *Enum
		in, want string
	}{
		{PolicyTypes, "VMware", "VMWARE"},
		{PolicyTypes, "VMWARE", "VMWARE"},
		{PolicyTypes, "vmware", "VMWARE"},
		{PolicyTypes, " Standard ", "STANDARD"},
		{PolicyTypes, "MS-Windows", "WINDOWS_NT"},
		{PolicyTypes, "MS-SQL-Server", "SQL_SERVER"},
		{PolicyTypes, "Hyper-V", "HYPERV"},
		{PolicyTypes, "NBU-Catalog", "NBU_CATALOG"},
		{PolicyTypes, "nbu_catalog", "NBU_CATALOG"},
		{PolicyTypes, "Universal-Share", "UNIVERSAL_SHARE"},
		{PolicyTypes, "Cloud-Object-Store", "CLOUD-OBJECT-STORE"},
		{PolicyTypes, "Oracle", "OBACKUP"},
		{PolicyTypes, "Some-Future-Type", "Some-Future-Type"},
		{JobTypes, "Backup", "BACKUP"},
		{JobTypes, "Image Cleanup", "IMAGEDELETE"},
		{JobTypes, "Duplication", "DUPLICATE"},
		{JobStates, "done", "DONE"},
		{JobStates, "Re-Queued", "REQUEUED"},
		{StorageCategories, "PRIMARY", "PRIMARY"},
		{StorageCategories, "msdp", "MSDP"},
		{StorageCategories, "AdvancedDisk", "ADVANCED_DISK"},
		{DiskPoolStates, "up", "UP"},
		{DriveTypes, "HCART2", "DT_HCART2"},
		{DriveTypes, "dt_hcart", "DT_HCART"},
		{DriveStatuses, "UP", "DRIVE_STATUS_UP"},
		{DriveStatuses, "Down", "DRIVE_STATUS_DOWN"},
		{PathStatuses, "up", "PATH_STATUS_UP"},
		{DriveControls, "AVR", "DRIVE_CONTROL_AVR"},
		{DriveControls, "LTID_DOWN", "LTID_DOWN"},
		{RobotTypes, "tld", "TLD"},
		{MediaTypes, "hcart", "HCART"},
		{MediaStatusFlags, "Active", "ACTIVE"},
		{PoolTypes, "SCRATCH", "SCRATCH_MEDIA_POOL"},
		{PoolTypes, "Scratch", "SCRATCH_MEDIA_POOL"},
		{PoolTypes, "NONE", "REGULAR_MEDIA_POOL"},
		{PoolTypes, "catalog", "CATALOG_MEDIA_POOL"},
		{PoolTypes, "SCRATCH_MEDIA_POOL", "SCRATCH_MEDIA_POOL"},
		{HostStatuses, "offline", "OFFLINE"},
		{AlertSeverities, "warning", "WARNING"},
		{AlertSeverities, "WARN", "WARNING"},
		{AlertCategories, "Job", "JOB"},
		{ScanResults, "Clean", "CLEAN"},
		// Not a spelling of anything: as sent, never dropped.
		{JobStates, "", ""},
		{JobStates, "__", "__"},
		{JobStates, "DONE\x00", "DONE\x00"},
		{JobStates, "Dôné", "Dôné"},
		{JobStates, strings.Repeat("DONE", 20), strings.Repeat("DONE", 20)},
	} {
		if got := tt.enum.Normalize(tt.in); got != tt.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", tt.enum.field, tt.in, got, tt.want)
		}
	}
}

// Every spec value is its own spelling: no short form, alias or other value of its table folds
// onto it.
func TestEnumValuesAreTheirOwnSpelling(t *testing.T) {
	for _, e := range allEnums {
		for _, v := range e.values {
			if got := e.Normalize(v); got != v {
				t.Errorf("%s: the spec's %q normalises to %q", e.field, v, got)
			}
		}
	}
}

// Labels are normalised for every job of a busy master: the common cases cost no allocation.
func TestEnumNormalizeDoesNotAllocate(t *testing.T) {
	for _, v := range []string{"VMWARE", "VMware", "unknown-value", "SCRATCH"} {
		if n := testing.AllocsPerRun(100, func() { _ = PolicyTypes.Normalize(v); _ = PoolTypes.Normalize(v) }); n != 0 {
			t.Errorf("Normalize(%q): %v allocations", v, n)
		}
	}
}

// specsDir is where Veritas's specs are (NETBACKUP_SPECS, else the shared docs beside the
// repository); CI has no copy, and the test skips there.
func specsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NETBACKUP_SPECS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "docs", "veritas")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("no Veritas specs at %s (set NETBACKUP_SPECS): %v", dir, err)
	}
	return dir
}

// The tables are written from the specs: every value is listed by the spec files named, in one
// release or another, under the attribute named.
func TestEnumValuesAreTheSpecs(t *testing.T) {
	dir := specsDir(t)
	listed := map[string]map[string]bool{} // file:field -> values
	for _, e := range allEnums {
		for _, f := range e.files {
			key := f + ":" + e.field
			if listed[key] != nil {
				continue
			}
			listed[key] = map[string]bool{}
			paths, _ := filepath.Glob(filepath.Join(dir, "*", f))
			if len(paths) == 0 {
				t.Fatalf("no %s in %s", f, dir)
			}
			for _, p := range paths {
				if err := specEnums(p, e.field, listed[key]); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, v := range e.values {
			if !slices.ContainsFunc(e.files, func(f string) bool { return listed[f+":"+e.field][v] }) {
				t.Errorf("%s: %q is in no enum of %s in %v", e.field, v, e.field, e.files)
			}
		}
	}
}

// specEnums adds the values of every enum under the attribute field in the spec file at path.
func specEnums(path, field string, into map[string]bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var walk func(n any, key string)
	walk = func(n any, key string) {
		switch n := n.(type) {
		case map[string]any:
			if vals, ok := n["enum"].([]any); ok && key == field {
				for _, v := range vals {
					into[fmt.Sprint(v)] = true
				}
			}
			for k, v := range n {
				walk(v, k)
			}
		case []any:
			for _, v := range n {
				walk(v, key)
			}
		}
	}
	walk(doc, "")
	return nil
}

// BenchmarkEnumNormalize is what a job record's normalisation costs per value: the spec's
// spelling, another one, an unknown value.
func BenchmarkEnumNormalize(b *testing.B) {
	for _, v := range []string{"VMWARE", "VMware", "SOME_FUTURE_TYPE"} {
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = PolicyTypes.Normalize(v)
			}
		})
	}
}
