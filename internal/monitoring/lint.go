package monitoring

// CountSuffixGauges are the gauges whose names end in _count: the single-target nbu_exporter's
// naming (nbu_jobs_count, nbu_alerts_count, ...), kept so that the dashboards and alerts written
// for it keep working. promtool check metrics warns about each of them; the README lists them as
// deliberate.
var CountSuffixGauges = []string{
	"nbu_jobs_count", "nbu_status_count", "nbu_jobs_files_count", "nbu_jobs_state_count", "nbu_jobs_queued_count",
	"nbu_storage_units_count", "nbu_disk_pool_volume_count", "nbu_tape_drives_count", "nbu_tape_media_count",
	"nbu_tape_media_status_count", "nbu_tape_scratch_media_count", "nbu_policy_clients_count",
	"nbu_catalog_images_count", "nbu_alerts_count", "nbu_malware_scan_count", "nbu_slo_count",
}

// CountSuffixProblem is the text of promtool's (and promlint's) warning about those names.
const CountSuffixProblem = `non-histogram and non-summary metrics should not have "_count" suffix`

// DeliberateLintProblem reports whether a lint problem is the deliberate one: the _count warning
// on one of CountSuffixGauges.
func DeliberateLintProblem(metric, text string) bool {
	if text != CountSuffixProblem {
		return false
	}
	for _, name := range CountSuffixGauges {
		if name == metric {
			return true
		}
	}
	return false
}
