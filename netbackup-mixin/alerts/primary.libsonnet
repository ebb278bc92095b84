local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.primary',
      rules: [
        {
          alert: 'NetBackupPrimaryUnreachable',
          // A probe also reports probe_success 0 while it is still reading the job window after an
          // exporter restart (nbu_jobs_backfill_complete 0, with the primary answering): that is
          // not an outage, and NetBackupJobBackfillNotFinishing covers a backfill that never ends.
          expr: |||
            probe_success{%(jobSelector)s} == 0
            unless on (%(target)s)
              (nbu_jobs_backfill_complete{%(jobSelector)s} == 0 and on (%(target)s) nbu_up{%(jobSelector)s} == 1)
          ||| % c,
          'for': '10m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }} cannot be probed' % c,
            description: fold(|||
              Every probe of NetBackup primary
              {{ $labels.%(instance)s }}{{ with $labels.module }} (module {{ . }}){{ end }} has failed for 10 minutes. nbu_up{%(instance)s="{{ $labels.%(instance)s }}"} says whether the
              primary answered at all (0: down, unreachable, wrong API key or certificate),
              nbu_collector_success which collector failed; the exporter's
              /probe?debug=true&target={{ $labels.%(instance)s }} shows the reason.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupJobBackfillNotFinishing',
          expr: 'nbu_jobs_backfill_complete{%(jobSelector)s} == 0' % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: job history still not read after 1h' % c,
            description: fold(|||
              The exporter has not finished reading the job look-back window of
              {{ $labels.%(instance)s }} for an hour, so its job gauges are missing. The primary answers
              too slowly for the scrape timeout: raise scrape_timeout and the module's timeout, or
              max_concurrent_requests, or shorten jobs.lookback. Compare
              nbu_jobs_updates_read_until_timestamp_seconds with time() to see the progress.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupCertificateExpiringSoon',
          expr: 'probe_ssl_earliest_cert_expiry{%(jobSelector)s} - time() < %(certificateExpiryDays)d * 86400' % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: TLS certificate expires in {{ $value | humanizeDuration }}' % c,
            description: fold(|||
              A certificate in the chain that NetBackup primary {{ $labels.%(instance)s }} presents on
              its web service expires in {{ $value | humanizeDuration }}. When it expires, the
              NetBackup web UI, the REST API and this monitoring stop working. Renew the web service
              certificate (NetBackup: configureWebServerCerts, or the external certificate procedure).
            ||| % c),
          },
        },
      ],
    }],
  },
}
