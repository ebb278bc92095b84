package nbu

// lEnum is an lString for fields with a small documented value set (job
// type, state, policy type, schedule type, storage category...). Known values
// are returned from a fixed table instead of being allocated per record;
// unknown values are kept as sent.
type lEnum string

func (s *lEnum) UnmarshalJSON(b []byte) error {
	if len(b) > 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if v, ok := knownEnumValues[string(b[1:len(b)-1])]; ok {
			*s = lEnum(v)
			return nil
		}
	}
	var ls lString
	_ = ls.UnmarshalJSON(b)
	*s = lEnum(ls)
	return nil
}

// knownEnumValues is read-only after package initialisation. Values from the
// NetBackup 11.0 admin.yaml and storage.yaml enums
// and the 10.3 config.yaml (media servers).
var knownEnumValues = func() map[string]string {
	m := map[string]string{}
	for _, list := range [][]string{
		// jobType
		{"BACKUP", "ARCHIVE", "RESTORE", "VERIFY", "DUPLICATE", "IMPORT", "DBBACKUP", "VAULT", "LABEL", "ERASE",
			"TPREQ", "TPCLEAN", "TPFORMAT", "VMPHYSINV", "DQTS", "DBRECOVER", "MCONTENTS", "IMAGEDELETE", "GENERIC",
			"REPLICATE", "REPLICA_IMPORT", "SNAPDUPE", "SNAPREPLICATE", "SNAPIMPORT", "APP_STATE_CAPTURE", "INDEXING",
			"INDEXCLEANUP", "SNAPSHOT", "SNAPINDEX", "ACTIVATE_IR", "DEACTIVATE_IR", "REACTIVATE_IR", "STOP_IR",
			"INSTANT_RECOVERY", "RMAN_CATALOG", "LOCKVM", "DEPLOYMENT", "INSTANT_ACCESS", "CLOUD_SNAPSHOT_REPLICATE",
			"PREPARING_FOR_BACKUP", "INSTANT_SYNC", "TRIAL_BACKUP", "MULTIPLE_STORAGE_METADATA"},
		// state
		{"QUEUED", "ACTIVE", "REQUEUED", "DONE", "SUSPENDED", "INCOMPLETE"},
		// policyType
		{"STANDARD", "PROXY", "NONSTANDARD", "APOLLO_WBAK", "OBACKUP", "ANY", "INFORMIX", "SYBASE", "SHAREPOINT",
			"WINDOWS", "NETWARE", "BACKTRACK", "AUSPEX_FASTBACK", "WINDOWS_NT", "OS2", "SQL_SERVER", "EXCHANGE", "SAP",
			"DB2", "NDMP", "FLASHBACKUP", "SPLITMIRROR", "AFS", "DFS", "DATASTORE", "LOTUS_NOTES", "NCR_TERADATA",
			"VAX_VMS", "HP3000_MPE", "FBU_WINDOWS", "BE_SQL_SERVER", "BE_EXCHANGE", "MAC", "DS", "NBU_CATALOG",
			"CMS_DB", "PUREDISK_EXPORT", "ENTERPRISE_VAULT", "VMWARE", "HYPERV", "NBU_SEARCHSERVER", "HYPERSCALE",
			"BIGDATA", "CLOUD", "HYPERVISOR", "NUTANIX_AHV", "UNIVERSAL_SHARE", "NAS_DATA_PROTECTION", "KUBERNETES",
			"MSDP_OBJECT_STORE", "EPIC_LARGE_FILE", "KVM", "OLVM_RHV"},
		// scheduleType (plus "FULL", which Veritas's own example uses)
		{"FULL", "FULL_BACKUP", "DIFFERENTIAL_INCREMENTAL_BACKUP", "USER_BACKUP", "USER_ARCHIVE",
			"CUMULATIVE_INCREMENTAL_BACKUP", "VAULT_CATALOG_BACKUP", "AUTOMATIC_BACKUP", "APPLICATION_BACKUP",
			"AUTOMATIC_FULL_BACKUP", "AUTOMATIC_INCREMENTAL_BACKUP", "AUTOMATIC_DIFFERENTIAL_INCREMENTAL_BACKUP",
			"AUTOMATIC_CUMULATIVE_INCREMENTAL_BACKUP", "AUTOMATIC_VAULT", "ARCHIVE_REDO_LOG_BACKUP",
			"TRANSACTION_LOG_BACKUP", "PRE_CHECK", "STAGE_PACKAGE", "INSTALL_PACKAGE", "UNUSED", "UNRECOGNIZED_VALUE"},
		// storageCategory, diskPoolState
		{"ADVANCED_DISK", "BASIC_DISK", "CLOUD_CATALYST", "MSDP", "OPEN_STORAGE", "TAPE", "UP", "DOWN", "TRANSIENT"},
		// disk volume state
		{"UNKNOWN"},
		// drives: driveType, robotType, driveStatus, pathStatus, driveControl
		{"DT_HCART", "DT_DLT", "DT_HCART2", "DT_DLT2", "DT_HCART3", "DT_DLT3", "NA", "NOT_ROBOTIC", "ACS", "TLD",
			"DRIVE_STATUS_UP", "DRIVE_STATUS_DOWN", "DRIVE_STATUS_MIXED", "DRIVE_STATUS_DISABLED",
			"PATH_STATUS_UP", "PATH_STATUS_DOWN", "PATH_STATUS_DISABLED",
			"DRIVE_CONTROL_DOWN", "DRIVE_CONTROL_OPR", "DRIVE_CONTROL_AVR", "DRIVE_CONTROL_MIXED", "LTID_DOWN",
			"DRIVE_CONTROL_ACTIVE", "DRIVE_CONTROL_SCAN", "DRIVE_CONTROL_PEND", "DRIVE_CONTROL_RESTART"},
		// tape media: mediaType, mediaStatus (single flags and the spec's example), volume poolType
		{"HCART", "HC_CLN", "DLT", "DLT_CLN", "HCART2", "HC2_CLN", "DLT2", "DLT2_CLN", "HCART3", "HC3_CLN", "DLT3",
			"DLT3_CLN", "FROZEN", "SUSPENDED", "FULL", "MULTIPLE_RETENTION_LEVELS", "IMPORTED", "ACTIVE", "MULTIPLEXED",
			"WORM", "BE", "ACTIVE MULTIPLEXED", "REGULAR_MEDIA_POOL", "SCRATCH_MEDIA_POOL", "CATALOG_MEDIA_POOL",
			"AVAILABLE_MEDIA_POOL"},
		// media server status.name
		{"VIRTUAL_NODE", "DEACTIVATED", "ACTIVE_FOR_TAPE_AND_DISK", "ACTIVE_FOR_TAPE", "ACTIVE_FOR_DISK", "OFFLINE"},
	} {
		for _, v := range list {
			m[v] = v
		}
	}
	return m
}()
