local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.jobs',
      rules: [
        {
          alert: 'NetBackupJobFailureRatioHigh',
          // Status 0 is success, 1 partial success; anything else failed. The look-back window's
          // gauges (nbu_jobs_count) are used, not increase(nbu_jobs_total), because increase()
          // does not see the first job of a status that had no series before.
          expr: |||
            (
              sum by (%(target)s) (nbu_jobs_count{%(jobSelector)s, status!~"0|1"})
              / sum by (%(target)s) (nbu_jobs_count{%(jobSelector)s})
            ) > %(jobFailureRatio)g # %(jobFailurePercent)s %% of the window's jobs failed
            and on (%(target)s) sum by (%(target)s) (nbu_jobs_count{%(jobSelector)s}) >= %(jobFailureMinJobs)d # ignore tiny samples
          ||| % c,
          'for': '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: {{ $value | humanizePercentage }} of jobs failed' % c,
            description: fold(|||
              {{ $value | humanizePercentage }} of the jobs that ended on {{ $labels.%(instance)s }}
              within the look-back window (nbu_jobs_lookback_seconds) failed with a status other than
              0 or 1. The Jobs dashboard shows which action, policy type and status codes; the
              NetBackup Activity Monitor the failed jobs themselves.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupJobsStalled',
          // nbu_jobs_stalled counts the active jobs whose bytes have not moved for the module's
          // jobs.stalled_after already; the for: keeps one stuck moment from paging.
          expr: 'sum by (%(target)s, action) (nbu_jobs_stalled{%(jobSelector)s}) > 0' % c,
          'for': c.jobsStalledFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: {{ $value }} {{ $labels.action }} jobs are stalled' % c,
            description: fold(|||
              {{ $value }} active {{ $labels.action }} jobs on {{ $labels.%(instance)s }} have transferred no
              data for the module's jobs.stalled_after. They are waiting on something: a tape mount, a
              media server, storage, or a client that stopped answering. Find them in the Activity
              Monitor (bpdbjobs -report -most_columns), and look at their detailed status.
            ||| % c),
          },
        },
      ],
    }],
  },
}
