package prober

import "github.com/prometheus/client_golang/prometheus"

// Metric names follow the single-target nbu_exporter so that existing dashboards keep working;
// that exporter's `site` label is Prometheus's `instance` here (the probed target).
var (
	descUp = prometheus.NewDesc("nbu_up",
		"1 if the NetBackup primary answered an authenticated API request during this probe.", nil, nil)
	descAPIVersion = prometheus.NewDesc("nbu_api_version",
		"The NetBackup REST API version used for this target (constant 1).", []string{"version"}, nil)
	descCollectorSuccess = prometheus.NewDesc("nbu_collector_success",
		"1 if the collector got all its data from NetBackup (or a fresh cache) during this probe.", []string{"collector"}, nil)
	descCollectorSkipped = prometheus.NewDesc("nbu_collector_skipped",
		"1 if the collector was skipped because the primary's NetBackup release does not serve its endpoints (no nbu_collector_success then).",
		[]string{"collector"}, nil)
	descSeriesDropped = prometheus.NewDesc("nbu_series_dropped",
		"Series the collector left out of this answer because it had more than the module's max_series.", []string{"collector"}, nil)
	descLabelsTruncated = prometheus.NewDesc("nbu_label_values_truncated",
		"Label values of the collector's series cut to 256 bytes in this answer.", []string{"collector"}, nil)
	descCollectorDuration = prometheus.NewDesc("nbu_collector_duration_seconds",
		"How long the collector took during this probe.", []string{"collector"}, nil)
	descCollectorRequests = prometheus.NewDesc("nbu_collector_requests",
		"NetBackup requests (attempts, retries included) the collector sent during this probe; 0 when its series came from the cache or a concurrent probe's run.",
		[]string{"collector"}, nil)
	descLastScrape = prometheus.NewDesc("nbu_last_scrape_timestamp_seconds",
		"When the data behind the metrics of this source was fetched from NetBackup (a cached answer keeps its own fetch time).",
		[]string{"source"}, nil)

	descJobsCount = newTextDesc("nbu_jobs_count",
		"Jobs that ended inside the look-back window.", "action", "policy_type", "status")
	descJobsBytes = newTextDesc("nbu_jobs_bytes",
		"Bytes transferred by jobs that ended inside the look-back window.", "action", "policy_type", "status")
	descStatusCount = newTextDesc("nbu_status_count",
		"Jobs that ended inside the look-back window, by action and status code.", "action", "status")
	descJobsFiles = newTextDesc("nbu_jobs_files_count",
		"Files processed by jobs that ended inside the look-back window.", "action", "policy_type")
	descJobsDedupRatio = newTextDesc("nbu_jobs_dedup_ratio",
		"Mean deduplication ratio (dedupRatio) of the jobs that ended inside the look-back window and report one (jobs with no ratio, 0, are left out).",
		"action", "policy_type")
	descJobDuration = newTextDesc("nbu_job_duration_seconds",
		"Duration (end time minus start time) of jobs that ended inside the look-back window.", "action", "policy_type")
	descJobsState = newTextDesc("nbu_jobs_state_count",
		`Jobs by state: state="DONE" counts jobs that ended inside the look-back window, every other state counts jobs in that state now.`,
		"action", "state")
	descJobsQueued = newTextDesc("nbu_jobs_queued_count",
		"Jobs queued now, by NetBackup queue reason code (jobQueueReason).", "action", "reason")
	descJobsLookback = prometheus.NewDesc("nbu_jobs_lookback_seconds",
		"The look-back window the job gauges cover.", nil, nil)
	descJobsTotal = newTextDesc("nbu_jobs_total",
		"Jobs that finished since the exporter began following this target, each counted once (jobs of the look-back window that ended before are in the window gauges only).",
		"action", "policy_type", "status")
	descJobsBytesTotal = newTextDesc("nbu_jobs_bytes_total",
		"Bytes transferred by the jobs nbu_jobs_total counts.", "action", "policy_type", "status")
	descJobsBackfillComplete = prometheus.NewDesc("nbu_jobs_backfill_complete",
		"1 once the job updates of the whole look-back window have been read; until then the window gauges are not reported.", nil, nil)
	descJobsWindowStart = prometheus.NewDesc("nbu_jobs_window_start_timestamp_seconds",
		"Oldest end time the window gauges count (the look-back, widened to the start of its minute).", nil, nil)
	descJobsUpdatesRead = prometheus.NewDesc("nbu_jobs_updates_read_until_timestamp_seconds",
		"Every job update NetBackup made before this time (its lastUpdateTime) has been read.", nil, nil)

	descDiskBytes = prometheus.NewDesc("nbu_disk_bytes",
		`Storage unit space in bytes; size is "free" or "used". Tape units, and cloud units that report no capacity, are left out.`,
		[]string{"name", "type", "size"}, nil)
	descDiskCapacity = prometheus.NewDesc("nbu_disk_capacity_bytes",
		"Total capacity of the storage unit in bytes, as NetBackup reports it.", []string{"name", "type"}, nil)
	descStorageMaxJobs = prometheus.NewDesc("nbu_storage_max_concurrent_jobs",
		"Maximum number of concurrent jobs the storage unit accepts.", []string{"name", "type"}, nil)
	descStorageMaxFragment = prometheus.NewDesc("nbu_storage_max_fragment_size_bytes",
		"Maximum fragment size of the storage unit in bytes.", []string{"name", "type"}, nil)
	descStorageInfo = prometheus.NewDesc("nbu_storage_info",
		"Storage unit capabilities (constant 1; the information is in the labels).",
		[]string{"name", "type", "subtype", "category", "is_cloud", "worm_capable", "use_worm", "replication_capable", "instant_access"}, nil)
	descStorageUnits = prometheus.NewDesc("nbu_storage_units_count",
		"Storage units NetBackup reported, by category.", []string{"category"}, nil)
)
