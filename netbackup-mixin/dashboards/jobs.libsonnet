local d = import '../lib/dashboard.libsonnet';

{
  local c = $._config,

  grafanaDashboards+:: {
    'netbackup-jobs.json': d.dashboard(
      c,
      'jobs',
      'Jobs',
      "Job outcomes, volumes, states, queues and durations per primary. Window gauges cover the module's jobs.lookback; rates come from the nbu_jobs_total counters.",
      variables=[d.queryVariable('action', 'Job type', 'NetBackup job type (jobType).', 'label_values(nbu_jobs_state_count{%(jobSelector)s, %(instanceLabel)s=~"$instance"}, action)' % c)],
      panels=[
        d.row('Look-back window'),
        d.stat(
          'Jobs ended',
          'Jobs that ended inside the look-back window (nbu_jobs_lookback_seconds).',
          ['sum(nbu_jobs_count{%(sel)s, action=~"$action"})' % c],
          w=4,
          h=4,
        ),
        d.stat(
          'Successful',
          'Status 0.',
          ['sum(nbu_jobs_count{%(sel)s, action=~"$action", status="0"})' % c],
          w=4,
          h=4,
        ),
        d.stat(
          'Partially successful',
          'Status 1.',
          ['sum(nbu_jobs_count{%(sel)s, action=~"$action", status="1"})' % c],
          w=4,
          h=4,
          thresholds=d.steps('green', [['orange', 1]]),
        ),
        d.stat(
          'Failed',
          'Any status other than 0 or 1.',
          ['sum(nbu_jobs_count{%(sel)s, action=~"$action", status!~"0|1"})' % c],
          w=4,
          h=4,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.stat(
          'Failure ratio',
          "Failed share of the window's jobs.",
          [
            'sum(nbu_jobs_count{%(sel)s, action=~"$action", status!~"0|1"}) / sum(nbu_jobs_count{%(sel)s, action=~"$action"})' % c,
          ],
          w=4,
          h=4,
          unit='percentunit',
          thresholds=d.steps('green', [['orange', c.jobFailureRatio / 2], ['red', c.jobFailureRatio]]),
          decimals=1,
        ),
        d.stat(
          'Window read',
          '1 when the exporter has read the whole look-back window (after a restart it reads it again first).',
          [
            d.query('min by (%(instance)s) (nbu_jobs_backfill_complete{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=4,
          h=4,
          thresholds=d.steps('red', [['green', 1]]),
          mappings=d.valueMappings({ '0': ['no', 'orange'], '1': ['yes', 'green'] }),
        ),
        d.row('Throughput'),
        d.timeseries(
          'Jobs finished per hour',
          'From the nbu_jobs_total counters: successful (0), partial (1) and failed (others).',
          [
            d.query('sum by (%(instance)s) (rate(nbu_jobs_total{%(sel)s, action=~"$action", status="0"}[$__rate_interval])) * 3600' % c, '{{%(instance)s}} ok' % c),
            d.query('sum by (%(instance)s) (rate(nbu_jobs_total{%(sel)s, action=~"$action", status="1"}[$__rate_interval])) * 3600' % c, '{{%(instance)s}} partial' % c),
            d.query('sum by (%(instance)s) (rate(nbu_jobs_total{%(sel)s, action=~"$action", status!~"0|1"}[$__rate_interval])) * 3600' % c, '{{%(instance)s}} failed' % c),
          ],
          w=12,
          h=8,
        ),
        d.timeseries(
          'Data written',
          'Bytes per second transferred by the jobs that finished (nbu_jobs_transferred_bytes_total).',
          [
            d.query('sum by (%(instance)s, action) (rate(nbu_jobs_transferred_bytes_total{%(sel)s, action=~"$action"}[$__rate_interval]))' % c, '{{%(instance)s}} {{action}}' % c),
          ],
          w=12,
          h=8,
          unit='Bps',
          stacked=true,
        ),
        d.row('Outcomes'),
        d.table(
          'Failures by status',
          'Failed jobs of the window by job type, policy type and NetBackup status code.',
          [
            'sort_desc(sum by (%(instance)s, action, policy_type, status) (nbu_jobs_count{%(sel)s, action=~"$action", status!~"0|1"}))' % c,
          ],
          w=12,
          h=9,
          columns={ Value: 'Jobs', [c.instance]: 'Primary', action: 'Job type', policy_type: 'Policy type', status: 'Status' },
          sortBy='Jobs',
        ),
        d.bargauge(
          'Jobs by status',
          "All the window's jobs by NetBackup status code.",
          [
            d.query('sort_desc(sum by (status) (nbu_status_count{%(sel)s, action=~"$action"}))' % c, 'status {{status}}'),
          ],
          w=12,
          h=9,
        ),
        d.timeseries(
          'Bytes by policy type (window)',
          "Bytes of the window's jobs per policy type.",
          [
            d.query('sum by (policy_type) (nbu_jobs_bytes{%(sel)s, action=~"$action"})' % c, '{{policy_type}}'),
          ],
          w=8,
          h=8,
          unit='bytes',
          stacked=true,
        ),
        d.timeseries(
          'Files by policy type (window)',
          "Files of the window's jobs per policy type.",
          [
            d.query('sum by (policy_type) (nbu_jobs_files_count{%(sel)s, action=~"$action"})' % c, '{{policy_type}}'),
          ],
          w=8,
          h=8,
          stacked=true,
        ),
        d.timeseries(
          'Deduplication ratio',
          "Mean deduplication ratio of the window's jobs (dedupRatio).",
          [
            d.query('avg by (policy_type) (nbu_jobs_dedup_ratio{%(sel)s, action=~"$action"})' % c, '{{policy_type}}'),
          ],
          w=8,
          h=8,
          unit='none',
          decimals=1,
        ),
        d.row('Now'),
        d.timeseries(
          'Jobs by state',
          'Jobs not finished, by state, now.',
          [
            d.query('sum by (state) (nbu_jobs_state_count{%(sel)s, action=~"$action", state!="DONE"})' % c, '{{state}}'),
          ],
          w=12,
          h=8,
          stacked=true,
        ),
        d.timeseries(
          'Queued jobs by reason',
          'Queued jobs by NetBackup queue reason code (jobQueueReason: 2 media in use, 4 drives in use, 17 max jobs per client, ...).',
          [
            d.query('sum by (reason) (nbu_jobs_queued_count{%(sel)s, action=~"$action"})' % c, 'reason {{reason}}'),
          ],
          w=12,
          h=8,
          stacked=true,
        ),
        d.stat(
          'Stalled jobs',
          "Active jobs whose byte count has not moved for the module's jobs.stalled_after (default 1h).",
          ['sum(nbu_jobs_stalled{%(sel)s, action=~"$action"})' % c],
          w=4,
          h=8,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.timeseries(
          'Stalled jobs by type',
          'Active jobs whose bytes have not moved for jobs.stalled_after, by job type.',
          [
            d.query('sum by (%(instance)s, action) (nbu_jobs_stalled{%(sel)s, action=~"$action"})' % c, '{{%(instance)s}} {{action}}' % c),
          ],
          w=10,
          h=8,
          stacked=true,
        ),
        d.timeseries(
          'Oldest running job',
          'How long the oldest active job of each type has been running.',
          [
            d.query('time() - min by (%(instance)s, action) (nbu_jobs_oldest_active_start_timestamp_seconds{%(sel)s, action=~"$action"})' % c, '{{%(instance)s}} {{action}}' % c),
          ],
          w=10,
          h=8,
          unit='s',
        ),
        d.row('Durations'),
        d.timeseries(
          'Job duration, 90th percentile',
          "90th percentile of the window's job durations per policy type.",
          [
            d.query('histogram_quantile(0.9, sum by (le, policy_type) (nbu_job_duration_seconds_bucket{%(sel)s, action=~"$action"}))' % c, '{{policy_type}}'),
          ],
          w=12,
          h=8,
          unit='s',
        ),
        d.timeseries(
          'Mean job duration',
          "Mean duration of the window's jobs per policy type.",
          [
            d.query('sum by (policy_type) (nbu_job_duration_seconds_sum{%(sel)s, action=~"$action"}) / sum by (policy_type) (nbu_job_duration_seconds_count{%(sel)s, action=~"$action"})' % c, '{{policy_type}}'),
          ],
          w=12,
          h=8,
          unit='s',
        ),
        d.timeseries(
          'Job history read up to',
          "How far behind now the exporter's reading of job updates is (large during a backfill).",
          [
            d.query('time() - nbu_jobs_updates_read_until_timestamp_seconds{%(sel)s}' % c, '{{%(instance)s}}' % c),
          ],
          w=24,
          h=6,
          unit='s',
        ),
      ],
    ),
  },
}
