local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.protection',
      rules: [
        {
          alert: 'NetBackupClientBackupTooOld',
          // Each client is judged by its own schedule: older than a factor of the frequency its
          // policies promise (nbu_client_backup_frequency_seconds, policies collector), the fixed
          // age only for a client without one. A client known only from a policy has a timestamp
          // of 0 and fires as well. While the exporter is still looking up old clients
          // (nbu_clients_backfill_complete 0) their timestamps may still be 0 although NetBackup
          // has a good backup: no alert then.
          expr: |||
            (
              time() - nbu_client_last_successful_backup_timestamp_seconds{%(jobSelector)s}
                > on (%(target)s, client) %(clientBackupFrequencyFactor)g * nbu_client_backup_frequency_seconds{%(jobSelector)s}
              or
              time() - nbu_client_last_successful_backup_timestamp_seconds{%(jobSelector)s} > %(clientBackupMaxAgeHours)d * 3600 # %(clientBackupMaxAgeHours)d hours
                unless on (%(target)s, client) nbu_client_backup_frequency_seconds{%(jobSelector)s}
            )
            unless on (%(target)s) nbu_clients_backfill_complete{%(jobSelector)s} == 0
          ||| % c,
          'for': '30m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: client {{ $labels.client }} has no successful backup for {{ $value | humanizeDuration }}' % c,
            description: fold(|||
              Client {{ $labels.client }} of {{ $labels.%(instance)s }} has had no successful backup
              (status 0) for {{ $value | humanizeDuration }} (a duration of decades means never).
              Look at its latest jobs (nbu_client_last_backup_status, Activity Monitor) and at its
              policies and schedules.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupBackupStillFailing',
          // The newest backup of the policy, client and schedule type is not a good one (it ended
          // after the newest good one, or the stream has shown no good one), held for the hours:
          // a retry or the next run that succeeds clears it.
          expr: |||
            nbu_backup_last_status{%(jobSelector)s}
            and on (%(target)s, policy, client, schedule_type) (
              nbu_backup_last_end_timestamp_seconds{%(jobSelector)s}
                > on (%(target)s, policy, client, schedule_type) nbu_backup_last_success_timestamp_seconds{%(jobSelector)s}
              or
              nbu_backup_last_end_timestamp_seconds{%(jobSelector)s}
                unless on (%(target)s, policy, client, schedule_type) nbu_backup_last_success_timestamp_seconds{%(jobSelector)s}
            )
          ||| % c,
          'for': '%(backupStillFailingHours)dh' % c,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: {{ $labels.schedule_type }} backup of {{ $labels.client }} (policy {{ $labels.policy }}) failed and has not succeeded since' % c,
            description: fold(|||
              The newest {{ $labels.schedule_type }} backup of client {{ $labels.client }} in policy
              {{ $labels.policy }} on {{ $labels.%(instance)s }} ended with status {{ $value }}, and no
              backup of theirs has succeeded for %(backupStillFailingHours)d hours since. Look up the status code
              (bperror -S), the job's details in the Activity Monitor, then rerun the backup.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupClientCopyBehind',
          // The client's newest good backup is much newer than its newest copy of that kind:
          // duplications or replications of its images are not being made. Clients never copied
          // have no copy series and never fire.
          expr: |||
            nbu_client_last_successful_backup_timestamp_seconds{%(jobSelector)s}
              - on (%(target)s, client) group_right nbu_client_last_copy_success_timestamp_seconds{%(jobSelector)s}
            > %(clientCopyMaxLagHours)d * 3600 # %(clientCopyMaxLagHours)d hours
          ||| % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: last {{ $labels.kind }} of client {{ $labels.client }} is {{ $value | humanizeDuration }} older than its last backup' % c,
            description: fold(|||
              The newest successful {{ $labels.kind }} of client {{ $labels.client }} on
              {{ $labels.%(instance)s }} ended {{ $value | humanizeDuration }} before its newest good backup:
              its recent backups have no second copy. Check the storage lifecycle policies of its
              policies (nbstlutil report, the SLP backlog on the Protection dashboard) and their
              duplication or replication jobs.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupCatalogBackupTooOld',
          expr: 'time() - nbu_catalog_last_backup_timestamp_seconds{%(jobSelector)s} > %(catalogBackupMaxAgeHours)d * 3600' % c,
          'for': '30m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: last good catalog backup {{ $value | humanizeDuration }} ago' % c,
            description: fold(|||
              The newest successful catalog backup (policy type NBU_CATALOG) of
              {{ $labels.%(instance)s }} ended {{ $value | humanizeDuration }} ago. Without a recent one
              the primary cannot be recovered after a disaster. Check the catalog policy, its last
              attempt (nbu_catalog_last_backup_status) and the disaster recovery file destination.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupSLPBacklogGrowing',
          // More incomplete images than some hours ago, and the oldest one older than that:
          // duplications or replications are not keeping up (normal churn completes within hours).
          expr: |||
            sum by (%(target)s, slp) (nbu_slp_incomplete_images{%(jobSelector)s})
              > sum by (%(target)s, slp) (nbu_slp_incomplete_images{%(jobSelector)s} offset %(slpBacklogHours)dh)
            and on (%(target)s, slp) nbu_slp_oldest_incomplete_image_age_seconds{%(jobSelector)s} > %(slpBacklogHours)d * 3600
          ||| % c,
          'for': '2h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: SLP {{ $labels.slp }} backlog is growing' % c,
            description: fold(|||
              Storage lifecycle policy {{ $labels.slp }} on {{ $labels.%(instance)s }} has
              {{ $value }} incomplete images, more than %(slpBacklogHours)d hours ago, and the oldest has waited more
              than %(slpBacklogHours)d hours. Check the duplication / replication targets and their jobs
              (nbstl -L, nbstlutil report). See the Protection dashboard.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupCriticalAlerts',
          // NetBackup's alert severities are INFO, WARNING and ERROR; CRITICAL is matched too in
          // case a release adds it.
          expr: |||
            sum by (%(target)s, category) (nbu_alerts_count{%(jobSelector)s, severity=~"ERROR|CRITICAL"}) > 0
          ||| % c,
          'for': '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: {{ $value }} unresolved {{ $labels.category }} error alerts' % c,
            description: fold(|||
              NetBackup primary {{ $labels.%(instance)s }} has {{ $value }} unresolved alerts of
              severity ERROR in category {{ $labels.category }}. Read and resolve them in the
              NetBackup web UI (Alerts / Notifications).
            ||| % c),
          },
        },
        {
          alert: 'NetBackupMalwareDetected',
          expr: 'nbu_malware_files_infected{%(jobSelector)s} > 0' % c,
          'for': '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: malware scans found {{ $value }} infected files' % c,
            description: fold(|||
              The latest malware scan results of {{ $labels.%(instance)s }} report {{ $value }} infected
              files in backup images. Do not restore from the affected images; review the scan
              results in the NetBackup web UI (Detection and reporting, Malware detection).
            ||| % c),
          },
        },
      ],
    }],
  },
}
