package prober

import "github.com/netbackup-exporter/netbackup_exporter/nbu"

// normalizeJob puts a job record's enum values into the spec's spelling (nbu.JobTypes,
// nbu.PolicyTypes, nbu.JobStates) as it enters the exporter, so that the state, the observers and
// the label sets compare and aggregate "VMware" and "VMWARE" as one type, "Done" as DONE. A value
// no table knows is kept as sent.
func normalizeJob(j *nbu.Job) {
	j.JobType = nbu.JobTypes.Normalize(j.JobType)
	j.PolicyType = nbu.PolicyTypes.Normalize(j.PolicyType)
	j.State = nbu.JobStates.Normalize(j.State)
}
