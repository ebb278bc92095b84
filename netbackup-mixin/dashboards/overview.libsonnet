local d = import '../lib/dashboard.libsonnet';

{
  local c = $._config,

  grafanaDashboards+:: {
    'netbackup-overview.json': d.dashboard(
      c,
      'overview',
      'Overview',
      'Every NetBackup primary at a glance: reachability, jobs, storage, tape, protection posture and firing alerts.',
      panels=[
        d.row('Primaries'),
        d.table(
          'Primaries',
          "One line per primary (the exporters' own scrape jobs left out): exporter scrape (up), probe result, NetBackup API answer, API version, probe time and TLS certificate lifetime.",
          [
            'max by (%(instance)s) (up{%(sel)s}) unless on (%(instance)s) netbackup_exporter_config_last_reload_successful' % c,
            'max by (%(instance)s) (probe_success{%(sel)s})' % c,
            'max by (%(instance)s) (nbu_up{%(sel)s})' % c,
            'max by (%(instance)s) (probe_duration_seconds{%(sel)s})' % c,
            'min by (%(instance)s) (probe_ssl_earliest_cert_expiry{%(sel)s}) - time()' % c,
            'max by (%(instance)s, version) (nbu_api_version{%(sel)s})' % c,
          ],
          w=24,
          h=7,
          columns={ version: 'API version', 'Value #A': 'Scraped', 'Value #B': 'Probe', 'Value #C': 'NetBackup API', 'Value #D': 'Probe time', 'Value #E': 'Certificate expires in', [c.instance]: 'Primary' },
          hide=['Value #F'],
          overrides=[
            d.column('Scraped', cell='color-background', thresholds=d.steps('red', [['green', 1]]), mappings=d.valueMappings({ '0': ['DOWN', 'red'], '1': ['UP', 'green'] })),
            d.column('Probe', cell='color-background', thresholds=d.steps('red', [['green', 1]]), mappings=d.valueMappings({ '0': ['FAIL', 'red'], '1': ['OK', 'green'] })),
            d.column('NetBackup API', cell='color-background', thresholds=d.steps('red', [['green', 1]]), mappings=d.valueMappings({ '0': ['DOWN', 'red'], '1': ['UP', 'green'] })),
            d.column('Probe time', unit='s'),
            d.column('Certificate expires in', cell='color-background', unit='dtdurations', thresholds=d.steps('red', [['orange', c.certificateExpirySeconds], ['green', std.max(30 * 86400, c.certificateExpirySeconds)]])),
          ],
        ),
        d.row('Jobs'),
        d.stat(
          'Failed jobs',
          'Jobs that ended in the look-back window with a status other than 0 (success) or 1 (partial success).',
          [
            d.query('sum by (%(instance)s) (nbu_jobs_count{%(sel)s, status!~"0|1"}) or sum by (%(instance)s) (nbu_jobs_lookback_seconds{%(sel)s}) * 0' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.stat(
          'Job failure ratio',
          'Failed share of the jobs that ended in the look-back window (the NetBackupJobFailureRatioHigh alert fires above %(jobFailurePercent)s %%).' % c,
          [
            d.query('sum by (%(instance)s) (nbu_jobs_count{%(sel)s, status!~"0|1"} or nbu_jobs_count{%(sel)s} * 0) / sum by (%(instance)s) (nbu_jobs_count{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          unit='percentunit',
          thresholds=d.steps('green', [['orange', c.jobFailureRatio / 2], ['red', c.jobFailureRatio]]),
          decimals=1,
        ),
        d.stat(
          'Running jobs',
          'Jobs ACTIVE now.',
          [
            d.query('sum by (%(instance)s) (nbu_jobs_state_count{%(sel)s, state="ACTIVE"})' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
        ),
        d.stat(
          'Queued jobs',
          'Jobs QUEUED now (the Jobs dashboard shows the reasons).',
          [
            d.query('sum by (%(instance)s) (nbu_jobs_queued_count{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          thresholds=d.steps('green', [['orange', 50]]),
        ),
        d.row('Storage'),
        d.bargauge(
          'Storage unit fill',
          'Used share of each disk storage unit (alert above %(storageFullPercent)s %%).' % c,
          [
            d.query('nbu_disk_bytes{%(sel)s, size="used"} / ignoring (size) (nbu_disk_capacity_bytes{%(sel)s} > 0)' % c, '{{%(instance)s}} {{name}}' % c),
          ],
          w=8,
          h=8,
          unit='percentunit',
          thresholds=d.steps('green', [['orange', 0.8], ['red', c.storageFullRatio]]),
          min=0,
          max=1,
          instant=false,
        ),
        d.bargauge(
          'Disk pool fill',
          'Used share of each disk pool.',
          [
            d.query('1 - nbu_disk_pool_available_bytes{%(sel)s} / (nbu_disk_pool_capacity_bytes{%(sel)s} > 0)' % c, '{{%(instance)s}} {{name}}' % c),
          ],
          w=8,
          h=8,
          unit='percentunit',
          thresholds=d.steps('green', [['orange', 0.8], ['red', c.storageFullRatio]]),
          min=0,
          max=1,
          instant=false,
        ),
        d.stat(
          'Disk pools DOWN',
          'Disk pools not UP.',
          [
            d.query('sum by (%(instance)s) (1 - nbu_disk_pool_up{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=4,
          h=8,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.stat(
          'Tape drives DOWN',
          'Tape drives DOWN for a media server.',
          [
            d.query('sum by (%(instance)s) (1 - nbu_tape_drive_up{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=4,
          h=8,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.row('Protection'),
        d.stat(
          'Clients without a good backup (%(clientBackupMaxAgeHours)dh)' % c,
          'Clients whose newest successful backup is older than %(clientBackupMaxAgeHours)d hours, or that never had one.' % c,
          [
            d.query('sum by (%(instance)s) ((time() - nbu_client_last_successful_backup_timestamp_seconds{%(sel)s}) > bool %(clientBackupMaxAgeSeconds)d)' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.stat(
          'Last good catalog backup',
          'Time since the newest successful catalog backup (alert above %(catalogBackupMaxAgeHours)d hours).' % c,
          [
            d.query('time() - max by (%(instance)s) (nbu_catalog_last_backup_timestamp_seconds{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          unit='dtdurations',
          thresholds=d.steps('green', [['orange', 86400], ['red', c.catalogBackupMaxAgeSeconds]]),
        ),
        d.stat(
          'Unresolved NetBackup errors',
          'Unresolved NetBackup alerts of severity ERROR.',
          [
            d.query('sum by (%(instance)s) (nbu_alerts_count{%(sel)s, severity=~"ERROR|CRITICAL"}) or sum by (%(instance)s) (nbu_alerts_count{%(sel)s}) * 0' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.stat(
          'Infected files',
          'Infected files in the latest malware scan results.',
          [
            d.query('sum by (%(instance)s) (nbu_malware_files_infected{%(sel)s})' % c, '{{%(instance)s}}' % c),
          ],
          w=6,
          h=4,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.row('Alerts and exporter'),
        d.table(
          'Firing alerts',
          'NetBackup alerts firing in Prometheus for the selected primaries (rules in alerts/netbackup.rules.yml).',
          ['ALERTS{alertname=~"NetBackup.*", alertstate="firing", %(instance)s=~"$instance"}' % c],
          w=12,
          h=8,
          columns={ alertname: 'Alert', [c.instance]: 'Primary', severity: 'Severity' },
          hide=['Value', '__name__', 'alertstate'],
        ),
        d.timeseries(
          'Probe duration',
          'How long each probe took, against its budget (probe_timeout_seconds).',
          [
            d.query('probe_duration_seconds{%(sel)s}' % c, '{{%(instance)s}}' % c),
            d.query('max(probe_timeout_seconds{%(sel)s})' % c, 'budget'),
          ],
          w=12,
          h=8,
          unit='s',
        ),
        d.timeseries(
          'NetBackup requests per probe',
          'Requests each collector sent to the primary during a probe (0 when served from cache): what monitoring costs the primary.',
          [
            d.query('sum by (%(instance)s, collector) (nbu_collector_requests{%(sel)s})' % c, '{{%(instance)s}} {{collector}}' % c),
          ],
          w=12,
          h=8,
          stacked=true,
        ),
        d.stat(
          'Collectors failing',
          'Collectors that did not get their data in the latest probe.',
          [
            d.query('count by (%(instance)s) (nbu_collector_success{%(sel)s} == 0) or count by (%(instance)s) (nbu_collector_success{%(sel)s}) * 0' % c, '{{%(instance)s}}' % c),
          ],
          w=12,
          h=8,
          thresholds=d.steps('green', [['red', 1]]),
        ),
      ],
    ),
  },
}
