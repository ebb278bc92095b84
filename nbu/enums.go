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

// knownEnumValues is read-only after package initialisation: the spec's values of every Enum
// (spellings.go), and of the enumerations the exporter reads without normalising them: the jobs'
// scheduleType (admin.yaml, plus "FULL", which Veritas's own example uses) and the spec's example
// tape mediaStatus "ACTIVE MULTIPLEXED".
var knownEnumValues = func() map[string]string {
	m := map[string]string{}
	for _, e := range []*Enum{PolicyTypes, JobTypes, JobStates, StorageCategories, DiskPoolStates, DiskVolumeStates,
		DriveTypes, RobotTypes, DriveStatuses, PathStatuses, DriveControls, MediaTypes, MediaStatusFlags, PoolTypes,
		HostStatuses, AlertSeverities, AlertCategories, ScanResults} {
		for _, v := range e.values {
			m[v] = v
		}
	}
	for _, v := range []string{"FULL", "FULL_BACKUP", "DIFFERENTIAL_INCREMENTAL_BACKUP", "USER_BACKUP", "USER_ARCHIVE",
		"CUMULATIVE_INCREMENTAL_BACKUP", "VAULT_CATALOG_BACKUP", "AUTOMATIC_BACKUP", "APPLICATION_BACKUP",
		"AUTOMATIC_FULL_BACKUP", "AUTOMATIC_INCREMENTAL_BACKUP", "AUTOMATIC_DIFFERENTIAL_INCREMENTAL_BACKUP",
		"AUTOMATIC_CUMULATIVE_INCREMENTAL_BACKUP", "AUTOMATIC_VAULT", "ARCHIVE_REDO_LOG_BACKUP",
		"TRANSACTION_LOG_BACKUP", "PRE_CHECK", "STAGE_PACKAGE", "INSTALL_PACKAGE", "UNUSED", "UNRECOGNIZED_VALUE",
		"ACTIVE MULTIPLEXED"} {
		m[v] = v
	}
	return m
}()
