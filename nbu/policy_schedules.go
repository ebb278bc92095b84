package nbu

// Schedule is one of a policy's schedules (config_policies.yaml, schedules[]), reduced to what
// says how often the policy promises a backup.
type Schedule struct {
	Name string // scheduleName
	// Type is scheduleType as sent: "Frequency" or "Calendar" in the spec; "" when absent.
	Type string
	// BackupType is backupType as sent ("Full Backup", "Differential Incremental Backup",
	// "User Backup", ...); "" when absent.
	BackupType string
	// FrequencySeconds is frequencySeconds, for frequency-based schedules.
	FrequencySeconds Known[int64]
}

// scheduleAttrs is the lenient decode target for schedules[].
type scheduleAttrs struct {
	ScheduleName     lString `json:"scheduleName"`
	ScheduleType     lString `json:"scheduleType"`
	BackupType       lString `json:"backupType"`
	FrequencySeconds optInt  `json:"frequencySeconds"`
}

// maxPolicySchedules bounds the schedules kept of one policy: NetBackup allows a few dozen, so a
// longer list is a broken or hostile answer, and what the caller needs (the shortest frequency)
// does not need them all.
const maxPolicySchedules = 1024

func schedulesOf(in []scheduleAttrs) []Schedule {
	if len(in) == 0 {
		return nil
	}
	out := make([]Schedule, 0, min(len(in), maxPolicySchedules))
	for _, s := range in[:min(len(in), maxPolicySchedules)] {
		out = append(out, Schedule{Name: string(s.ScheduleName), Type: string(s.ScheduleType), BackupType: string(s.BackupType),
			FrequencySeconds: s.FrequencySeconds.known()})
	}
	return out
}
