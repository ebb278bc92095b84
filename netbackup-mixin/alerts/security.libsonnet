local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.security',
      rules: [
        {
          alert: 'NetBackupSecurityRiskScoreHigh',
          expr: 'nbu_security_risk_score{%(jobSelector)s} > %(securityRiskScoreMax)g' % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: security risk score {{ $value }}' % c,
            description: fold(|||
              NetBackup rates the security configuration of {{ $labels.%(instance)s }} at a risk
              score of {{ $value }} (0 best, 100 worst; alert above %(securityRiskScoreMax)g).
              nbu_security_setting_risk_score names the settings that weigh most (MFA, multi-person
              authorization, data-in-transit encryption, ...); the web UI's Security dashboard
              shows the same.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupAnomaliesNotReviewed',
          expr: 'sum by (%(target)s) (nbu_security_anomalies{%(jobSelector)s, status="NOT_REVIEWED"}) > 0' % c,
          'for': '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: {{ $value }} anomalies not reviewed' % c,
            description: fold(|||
              NetBackup detected {{ $value }} backup anomalies on {{ $labels.%(instance)s }} within the
              exporter's security.anomalies_lookback that nobody has reviewed yet. An unusual
              backup (size, file count, deduplication) can be the first sign of ransomware: review
              them in the web UI (Detection and reporting, Anomaly detection) and mark each as an
              anomaly, a false positive or ignored.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupExporterAPIKeyExpiringSoon',
          expr: 'nbu_security_api_key_expiry_timestamp_seconds{%(jobSelector)s} - time() < %(apiKeyExpiryDays)d * 86400' % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: "NetBackup primary {{ $labels.%(instance)s }}: the exporter's API key expires in {{ $value | humanizeDuration }}" % c,
            description: fold(|||
              The API key the exporter uses for {{ $labels.%(instance)s }} (the module's
              api_key_tag) expires in {{ $value | humanizeDuration }}; then every probe of this
              primary fails with 401. Extend it (PATCH /security/api-keys/{tag}, or the web UI's
              API keys) or issue a new key and put it in the module's api_key_file.
            ||| % c),
          },
        },
      ],
    }],
  },
}
