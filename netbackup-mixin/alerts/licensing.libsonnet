local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.licensing',
      rules: [
        {
          alert: 'NetBackupLicenseCapacityHigh',
          // Used and licensed are in the same base (MB as 2^20, TB as 2^40 bytes), so the ratio
          // holds whatever base NetBackup means. Traditional (non-capacity) licensing has no
          // licensed capacity, and no alert.
          expr: |||
            nbu_license_capacity_used_bytes{%(jobSelector)s}
              / sum without (meter) (nbu_license_capacity_bytes{%(jobSelector)s} > 0)
            >= %(licenseCapacityRatio)g # %(licenseCapacityPercent)s %%
          ||| % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: {{ $value | humanizePercentage }} of the licensed capacity used' % c,
            description: fold(|||
              NetBackup primary {{ $labels.%(instance)s }} protects {{ $value | humanizePercentage }} of the
              front-end capacity its active FETB entitlements license; beyond it the primary is
              out of licence compliance. Plan the purchase, or review what is protected (the
              capacity report per client: Licensing in the NetBackup web UI, or nbdeployutil).
            ||| % c),
          },
        },
        {
          alert: 'NetBackupLicenseExpiringSoon',
          expr: |||
            nbu_license_expiry_timestamp_seconds{%(jobSelector)s, status="ACTIVE"} - time() < %(licenseExpiryDays)d * 86400
          ||| % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: licence {{ $labels.entitlement }} {{ if lt $value 0.0 }}has ended{{ else }}ends in {{ $value | humanizeDuration }}{{ end }}' % c,
            description: fold(|||
              The {{ $labels.type }} entitlement {{ $labels.entitlement }} ({{ $labels.product }},
              meter {{ $labels.meter }}) of NetBackup primary {{ $labels.%(instance)s }}
              {{ if lt $value 0.0 }}has ended{{ else }}ends in {{ $value | humanizeDuration }}{{ end }}. Renew it and add the new licence file (Licensing in the
              NetBackup web UI); delete an entitlement a renewal has replaced.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupHostCertificateExpiringSoon',
          // A host whose certificate has expired keeps the alert until its certificate is
          // reissued, or revoked if the host is gone.
          expr: |||
            nbu_host_certificate_expiry_timestamp_seconds{%(jobSelector)s} - time() < %(hostCertificateExpiryDays)d * 86400
          ||| % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: host certificate of {{ $labels.host }} {{ if lt $value 0.0 }}has expired{{ else }}expires in {{ $value | humanizeDuration }}{{ end }}' % c,
            description: fold(|||
              The NetBackup host ID certificate of {{ $labels.host }} ({{ $labels.host_type }}, host
              id {{ $labels.host_id }}), issued by primary {{ $labels.%(instance)s }},
              {{ if lt $value 0.0 }}has expired{{ else }}expires in {{ $value | humanizeDuration }}{{ end }}, and NetBackup has not renewed it. Once it has expired the
              host's backups fail until someone reissues it by hand (a reissue token, then
              nbcertcmd -getCertificate on the host). Renew it now on the host (nbcertcmd
              -renewCertificate), or revoke it if the host is gone.
            ||| % c),
          },
        },
      ],
    }],
  },
}
