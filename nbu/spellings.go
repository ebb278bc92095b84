package nbu

import "strings"

// Real primaries spell enum values their own way: a policy type "VMware" or "VMWARE", a volume
// pool type "SCRATCH" where the spec says SCRATCH_MEDIA_POOL, a job state "Done". An Enum maps
// every spelling of a value it recognises to the spec's, so that the exporter's label values are
// the spec's whatever the primary sends and the jobs of one type aggregate together. A value it
// does not recognise passes through unchanged: a release that adds a value must not lose it.
//
// A spelling is recognised when, ASCII letters upper-cased and the separators '_', '-' and ' '
// dropped, it equals one of the spec's values, the value without the table's affix (the short
// forms: "UP" for DRIVE_STATUS_UP, "SCRATCH" for SCRATCH_MEDIA_POOL), or one of the table's
// aliases (the names NetBackup's policy configuration gives the job API's policy types).

// Enum is one of the spec's enumerations with the spellings real primaries use for its values.
// Its tables are built once and only read after, so it is safe for concurrent use.
type Enum struct {
	// field is the attribute the spec names the enumeration after, files the spec files that list
	// it (spellings_test.go holds the values to them), values the spec's spellings.
	field  string
	files  []string
	values []string
	// byKey maps a folded spelling to the spec's, and each of the spec's spellings to itself (a
	// folded spelling has no separator, so the two kinds of key never meet).
	byKey map[string]string
}

// maxEnumKey bounds the spellings folded: no value of any enumeration is longer, so a longer text
// is not one of them and passes through without being copied.
const maxEnumKey = 64

// enumSpec describes an enumeration: the spec's values, the affix its short forms leave out and
// its aliases (folded spelling -> the spec's value).
type enumSpec struct {
	field   string
	files   []string
	values  []string
	prefix  string
	suffix  string
	aliases map[string]string
}

func newEnum(s enumSpec) *Enum {
	e := &Enum{field: s.field, files: s.files, values: s.values, byKey: map[string]string{}}
	for _, v := range s.values {
		e.byKey[string(foldEnum(nil, v))] = v
		e.byKey[v] = v
	}
	// Short forms and aliases never displace one of the spec's own spellings.
	add := func(key, v string) {
		if _, taken := e.byKey[key]; !taken {
			e.byKey[key] = v
		}
	}
	for _, v := range s.values {
		short, ok := strings.CutPrefix(v, s.prefix)
		if s.suffix != "" {
			var cut bool
			short, cut = strings.CutSuffix(short, s.suffix)
			ok = ok && cut
		}
		if ok && short != "" && short != v {
			add(string(foldEnum(nil, short)), v)
		}
	}
	for alias, v := range s.aliases {
		add(string(foldEnum(nil, alias)), v)
	}
	return e
}

// Normalize returns the spec's spelling of v, or v itself when v is none of the enumeration's
// spellings. It does not allocate.
func (e *Enum) Normalize(v string) string {
	if len(v) == 0 || len(v) > maxEnumKey {
		return v
	}
	// Most values come in the spec's spelling: one lookup.
	if c, ok := e.byKey[v]; ok && c == v {
		return c
	}
	var buf [maxEnumKey]byte
	if c, ok := e.byKey[string(foldEnum(buf[:0], v))]; ok {
		return c
	}
	return v
}

// foldEnum appends v with surrounding blanks trimmed, ASCII letters upper-cased and the
// separators '_', '-' and ' ' dropped.
func foldEnum(out []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '_' || c == '-' || c == ' ':
		case 'a' <= c && c <= 'z':
			out = append(out, c-('a'-'A'))
		default:
			out = append(out, c)
		}
	}
	return out
}

// The enumerations the exporter labels with or decides on, from Veritas's specs (admin.yaml for
// the jobs, catalog.yaml, storage.yaml, config.yaml, manage.yaml and malware.yaml).
var (
	// PolicyTypes is policyType of /admin/jobs (admin.yaml), the most complete list, with
	// KUBERNETES and CLOUD-OBJECT-STORE that the catalog's images add (catalog.yaml). The policy
	// configuration API (/config/policies/) names the types as its UI does ("MS-Windows",
	// "Oracle", "VMware"...): those names are aliases of the job API's values.
	PolicyTypes = newEnum(enumSpec{field: "policyType", files: []string{"admin.yaml", "catalog.yaml"},
		values: []string{"STANDARD", "PROXY", "NONSTANDARD", "APOLLO_WBAK", "OBACKUP", "ANY", "INFORMIX", "SYBASE",
			"SHAREPOINT", "WINDOWS", "NETWARE", "BACKTRACK", "AUSPEX_FASTBACK", "WINDOWS_NT", "OS2", "SQL_SERVER",
			"EXCHANGE", "SAP", "DB2", "NDMP", "FLASHBACKUP", "SPLITMIRROR", "AFS", "DFS", "DATASTORE", "LOTUS_NOTES",
			"NCR_TERADATA", "VAX_VMS", "HP3000_MPE", "FBU_WINDOWS", "VAULT", "BE_SQL_SERVER", "BE_EXCHANGE", "MAC", "DS",
			"NBU_CATALOG", "GENERIC", "CMS_DB", "PUREDISK_EXPORT", "ENTERPRISE_VAULT", "VMWARE", "HYPERV",
			"NBU_SEARCHSERVER", "HYPERSCALE", "BIGDATA", "CLOUD", "DEPLOYMENT", "HYPERVISOR", "NUTANIX_AHV", "OLVM_RHV",
			"UNIVERSAL_SHARE", "NAS_DATA_PROTECTION", "MSDP_OBJECT_STORE", "EPIC_LARGE_FILE", "KVM", "KUBERNETES",
			"CLOUD-OBJECT-STORE"},
		aliases: map[string]string{
			"MS-Windows": "WINDOWS_NT", "MS-Windows-NT": "WINDOWS_NT", "MS-SQL-Server": "SQL_SERVER",
			"MS-Exchange-Server": "EXCHANGE", "MS-SharePoint": "SHAREPOINT", "Oracle": "OBACKUP",
			"Informix-On-BAR": "INFORMIX", "DataTools-SQL-BackTrack": "BACKTRACK", "FlashBackup-Windows": "FBU_WINDOWS",
			"NBU-Catalog": "NBU_CATALOG", "Hyper-V": "HYPERV",
		}})
	// JobTypes is jobType of /admin/jobs; the activity monitor's names of three are aliases.
	JobTypes = newEnum(enumSpec{field: "jobType", files: []string{"admin.yaml"},
		values: []string{"BACKUP", "ARCHIVE", "RESTORE", "VERIFY", "DUPLICATE", "IMPORT", "DBBACKUP", "VAULT", "LABEL",
			"ERASE", "TPREQ", "TPCLEAN", "TPFORMAT", "VMPHYSINV", "DQTS", "DBRECOVER", "MCONTENTS", "IMAGEDELETE",
			"GENERIC", "REPLICATE", "REPLICA_IMPORT", "SNAPDUPE", "SNAPREPLICATE", "SNAPIMPORT", "APP_STATE_CAPTURE",
			"INDEXING", "INDEXCLEANUP", "SNAPSHOT", "SNAPINDEX", "ACTIVATE_IR", "DEACTIVATE_IR", "REACTIVATE_IR",
			"STOP_IR", "INSTANT_RECOVERY", "RMAN_CATALOG", "LOCKVM", "DEPLOYMENT", "INSTANT_ACCESS",
			"CLOUD_SNAPSHOT_REPLICATE", "PREPARING_FOR_BACKUP", "INSTANT_SYNC", "TRIAL_BACKUP",
			"MULTIPLE_STORAGE_METADATA"},
		aliases: map[string]string{"Duplication": "DUPLICATE", "Replication": "REPLICATE", "Image Cleanup": "IMAGEDELETE"}})
	// JobStates is state of /admin/jobs.
	JobStates = newEnum(enumSpec{field: "state", files: []string{"admin.yaml"},
		values: []string{"QUEUED", "ACTIVE", "REQUEUED", "DONE", "SUSPENDED", "INCOMPLETE"}})
	// StorageCategories is storageCategory of storage units and disk pools.
	StorageCategories = newEnum(enumSpec{field: "storageCategory", files: []string{"storage.yaml"},
		values: []string{"ADVANCED_DISK", "BASIC_DISK", "CLOUD", "CLOUD_CATALYST", "MSDP", "OPEN_STORAGE", "TAPE", "NONE"}})
	// DiskPoolStates is a disk pool's diskPoolState.
	DiskPoolStates = newEnum(enumSpec{field: "diskPoolState", files: []string{"storage.yaml"},
		values: []string{"UP", "DOWN", "TRANSIENT"}})
	// DiskVolumeStates is the state of a disk pool's volume.
	DiskVolumeStates = newEnum(enumSpec{field: "state", files: []string{"storage.yaml"},
		values: []string{"UP", "DOWN", "UNKNOWN"}})
	// DriveTypes is a drive's driveType; "HCART" is short for DT_HCART.
	DriveTypes = newEnum(enumSpec{field: "driveType", files: []string{"storage.yaml"}, prefix: "DT_",
		values: []string{"DT_HCART", "DT_DLT", "DT_HCART2", "DT_DLT2", "DT_HCART3", "DT_DLT3"}})
	// RobotTypes is robotType of drives and tape media.
	RobotTypes = newEnum(enumSpec{field: "robotType", files: []string{"storage.yaml"},
		values: []string{"NA", "NOT_ROBOTIC", "ACS", "TLD", "NONE"}})
	// DriveStatuses is a drive's driveStatus; "UP" is short for DRIVE_STATUS_UP.
	DriveStatuses = newEnum(enumSpec{field: "driveStatus", files: []string{"storage.yaml"}, prefix: "DRIVE_STATUS_",
		values: []string{"DRIVE_STATUS_UP", "DRIVE_STATUS_DOWN", "DRIVE_STATUS_MIXED", "DRIVE_STATUS_DISABLED"}})
	// PathStatuses is a drive path's pathStatus; "UP" is short for PATH_STATUS_UP.
	PathStatuses = newEnum(enumSpec{field: "pathStatus", files: []string{"storage.yaml"}, prefix: "PATH_STATUS_",
		values: []string{"PATH_STATUS_UP", "PATH_STATUS_DOWN", "PATH_STATUS_DISABLED"}})
	// DriveControls is driveControl of drives and their paths.
	DriveControls = newEnum(enumSpec{field: "driveControl", files: []string{"storage.yaml"}, prefix: "DRIVE_CONTROL_",
		values: []string{"DRIVE_CONTROL_DOWN", "DRIVE_CONTROL_OPR", "DRIVE_CONTROL_AVR", "DRIVE_CONTROL_MIXED", "LTID_DOWN",
			"DRIVE_CONTROL_ACTIVE", "DRIVE_CONTROL_SCAN", "DRIVE_CONTROL_PEND", "DRIVE_CONTROL_RESTART",
			"DRIVE_CONTROL_DOWN_ROBOT_STRING", "DRIVE_CONTROL_PEND_ROBOT_STRING", "DRIVE_CONTROL_SCAN_ROBOT_STRING",
			"DRIVE_CONTROL_ROBOT_STRING"}})
	// MediaTypes is a tape medium's mediaType.
	MediaTypes = newEnum(enumSpec{field: "mediaType", files: []string{"storage.yaml"},
		values: []string{"HCART", "HC_CLN", "DLT", "DLT_CLN", "HCART2", "HC2_CLN", "DLT2", "DLT2_CLN", "HCART3",
			"HC3_CLN", "DLT3", "DLT3_CLN", "DEFAULT"}})
	// MediaStatusFlags are the flags of a tape medium's mediaStatus (TapeMedium.StatusFlags).
	MediaStatusFlags = newEnum(enumSpec{field: "mediaStatus", files: []string{"storage.yaml"},
		values: []string{"FROZEN", "SUSPENDED", "FULL", "MULTIPLE_RETENTION_LEVELS", "IMPORTED", "ACTIVE",
			"MULTIPLEXED", "WORM", "BE"}})
	// PoolTypes is a volume pool's poolType; "SCRATCH" is short for SCRATCH_MEDIA_POOL, and
	// "NONE", a pool with no special role, is a regular one.
	PoolTypes = newEnum(enumSpec{field: "poolType", files: []string{"storage.yaml"}, suffix: "_MEDIA_POOL",
		values:  []string{"REGULAR_MEDIA_POOL", "SCRATCH_MEDIA_POOL", "CATALOG_MEDIA_POOL", "AVAILABLE_MEDIA_POOL"},
		aliases: map[string]string{"NONE": "REGULAR_MEDIA_POOL"}})
	// HostStatuses is a media server's status.name.
	HostStatuses = newEnum(enumSpec{field: "name", files: []string{"config.yaml"},
		values: []string{"VIRTUAL_NODE", "DEACTIVATED", "ACTIVE_FOR_TAPE_AND_DISK", "ACTIVE_FOR_TAPE", "ACTIVE_FOR_DISK",
			"OFFLINE"}})
	// AlertSeverities is an alert's severity.
	AlertSeverities = newEnum(enumSpec{field: "severity", files: []string{"manage.yaml"},
		values: []string{"INFO", "WARNING", "ERROR"}, aliases: map[string]string{"WARN": "WARNING"}})
	// AlertCategories is an alert's category.
	AlertCategories = newEnum(enumSpec{field: "category", files: []string{"manage.yaml"},
		values: []string{"JOB", "KMS", "MSDP"}})
	// ScanResults is scanResult of /malware/latest-scan-results.
	ScanResults = newEnum(enumSpec{field: "scanResult", files: []string{"malware.yaml"},
		values: []string{"NOT_SCANNED", "IMPACTED", "CLEAN", "NOT_SUPPORTED"}})
)
