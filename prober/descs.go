package prober

// Metric names follow the single-target nbu_exporter so that existing dashboards keep working;
// that exporter's `site` label is Prometheus's `instance` here (the probed target).
var (
	descUp = newDesc("nbu_up",
		"1 if the NetBackup primary answered an authenticated API request during this probe.")
	descAPIVersion = newDesc("nbu_api_version",
		"The NetBackup REST API version used for this target (constant 1).", "version")
	descCollectorSuccess = newDesc("nbu_collector_success",
		"1 if the collector got all its data from NetBackup (or a fresh cache) during this probe.", "collector")
	descCollectorSkipped = newDesc("nbu_collector_skipped",
		"1 if the collector was skipped because the primary's NetBackup release does not serve its endpoints (no nbu_collector_success then).", "collector")
	descSeriesDropped = newDesc("nbu_series_dropped",
		"Series the collector left out of this answer, by reason: max_series (past the module's max_series), duplicate (the same label values as another series once cut to 256 bytes, scrubbed and made valid UTF-8), answer_size (past the answer's size bound).",
		"collector", "reason")
	descLabelsTruncated = newDesc("nbu_label_values_truncated",
		"Label values of the collector's series cut to 256 bytes in this answer.", "collector")
	descCollectorDuration = newDesc("nbu_collector_duration_seconds",
		"How long the collector took during this probe.", "collector")
	descCollectorRequests = newDesc("nbu_collector_requests",
		"NetBackup requests (attempts, retries included) the collector sent during this probe; 0 when its series came from the cache or a concurrent probe's run.", "collector")
	descLastScrape = newDesc("nbu_last_scrape_timestamp_seconds",
		"When the data behind the metrics of this source was fetched from NetBackup (a cached answer keeps its own fetch time).", "source")

	descJobsCount = newDesc("nbu_jobs_count",
		"Jobs that ended inside the look-back window.", "action", "policy_type", "status")
	descJobsBytes = newDesc("nbu_jobs_bytes",
		"Bytes transferred by jobs that ended inside the look-back window.", "action", "policy_type", "status")
	descStatusCount = newDesc("nbu_status_count",
		"Jobs that ended inside the look-back window, by action and status code.", "action", "status")
	descJobsFiles = newDesc("nbu_jobs_files_count",
		"Files processed by jobs that ended inside the look-back window.", "action", "policy_type")
	descJobsDedupRatio = newDesc("nbu_jobs_dedup_ratio",
		"Mean deduplication ratio (dedupRatio) of the jobs that ended inside the look-back window and report one (jobs with no ratio, 0, are left out).",
		"action", "policy_type")
	descJobDuration = newDesc("nbu_job_duration_seconds",
		"Duration (end time minus start time) of jobs that ended inside the look-back window.", "action", "policy_type")
	descJobsState = newDesc("nbu_jobs_state_count",
		`Jobs by state: state="DONE" counts jobs that ended inside the look-back window, every other state counts jobs in that state now.`,
		"action", "state")
	descJobsQueued = newDesc("nbu_jobs_queued_count",
		"Jobs queued now, by NetBackup queue reason code (jobQueueReason).", "action", "reason")
	descJobsLookback = newDesc("nbu_jobs_lookback_seconds",
		"The look-back window the job gauges cover.")
	descJobsTotal = newDesc("nbu_jobs_total",
		"Jobs that finished since the exporter began following this target, each counted once (jobs of the look-back window that ended before are in the window gauges only).",
		"action", "policy_type", "status")
	descJobsBytesTotal = newDesc("nbu_jobs_transferred_bytes_total",
		"Bytes transferred by the jobs nbu_jobs_total counts.", "action", "policy_type", "status")
	descJobsBackfillComplete = newDesc("nbu_jobs_backfill_complete",
		"1 once the job updates of the whole look-back window have been read; until then the window gauges are not reported.")
	descJobsWindowStart = newDesc("nbu_jobs_window_start_timestamp_seconds",
		"Oldest end time the window gauges count (the look-back, widened to the start of its minute).")
	descJobsDropped = newDesc("nbu_jobs_dropped",
		"Jobs the target's job state left out because it held jobs.max_jobs jobs (finished in the window and unfinished), since the state began.")
	descJobsUpdatesRead = newDesc("nbu_jobs_updates_read_until_timestamp_seconds",
		"Every job update NetBackup made before this time (its lastUpdateTime) has been read.")

	descDiskBytes = newDesc("nbu_disk_bytes",
		`Storage unit space in bytes; size is "free" or "used". Tape units, and cloud units that report no capacity, are left out.`, "name", "type", "size")
	descDiskCapacity = newDesc("nbu_disk_capacity_bytes",
		"Total capacity of the storage unit in bytes, as NetBackup reports it.", "name", "type")
	descStorageMaxJobs = newDesc("nbu_storage_max_concurrent_jobs",
		"Maximum number of concurrent jobs the storage unit accepts.", "name", "type")
	descStorageMaxFragment = newDesc("nbu_storage_max_fragment_size_bytes",
		"Maximum fragment size of the storage unit in bytes.", "name", "type")
	descStorageInfo = newDesc("nbu_storage_info",
		"Storage unit capabilities (constant 1; the information is in the labels).", "name", "type", "subtype", "category", "is_cloud", "worm_capable", "use_worm", "replication_capable", "instant_access")
	descStorageUnits = newDesc("nbu_storage_units_count",
		"Storage units NetBackup reported, by category.", "category")
)
