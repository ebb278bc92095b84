local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.exporter',
      rules: [
        {
          alert: 'NetBackupExporterDown',
          // Both the /probe job and the exporter's own job: `up` is about the exporter, not a
          // primary (a primary that is down shows as probe_success 0, see netbackup.primary).
          expr: 'up{%(jobSelector)s} == 0' % c,
          'for': '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'netbackup_exporter at {{ $labels.instance }} cannot be scraped',
            description: fold(|||
              Prometheus job {{ $labels.job }} has not scraped {{ $labels.instance }} for 5 minutes.
              No NetBackup primary behind this exporter is monitored meanwhile. Check that the
              exporter process runs (systemctl status netbackup_exporter) and answers on /-/healthy.
            |||),
          },
        },
        {
          alert: 'NetBackupExporterConfigReloadFailed',
          expr: 'netbackup_exporter_config_last_reload_successful{%(jobSelector)s} == 0' % c,
          'for': '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'netbackup_exporter {{ $labels.instance }}: configuration reload failed',
            description: fold(|||
              The last reload of modules.yml on exporter {{ $labels.instance }} failed; it keeps
              serving the previous configuration, and a restart would not start at all. The
              exporter's log names the file, line, module and field
              (journalctl -u netbackup_exporter); `netbackup_exporter --config.check` repeats the error.
            |||),
          },
        },
      ],
    }],
  },
}
