local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.storage',
      rules: [
        {
          alert: 'NetBackupStorageUnitAlmostFull',
          expr: |||
            nbu_disk_bytes{%(jobSelector)s, size="used"} / ignoring (size) (nbu_disk_capacity_bytes{%(jobSelector)s} > 0) > %(storageFullRatio)g # %(storageFullPercent)s %%
          ||| % c,
          'for': '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: storage unit {{ $labels.name }} is {{ $value | humanizePercentage }} full' % c,
            description: fold(|||
              Storage unit {{ $labels.name }} ({{ $labels.type }}) of {{ $labels.%(instance)s }} is
              {{ $value | humanizePercentage }} full. Backups to it will fail when it is full:
              expire images, run image cleanup, or add capacity. See the Storage dashboard.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupDiskPoolDown',
          expr: 'nbu_disk_pool_up{%(jobSelector)s} == 0' % c,
          'for': '10m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: disk pool {{ $labels.name }} is DOWN' % c,
            description: fold(|||
              Disk pool {{ $labels.name }} ({{ $labels.type }}) on {{ $labels.%(instance)s }} has been
              DOWN for 10 minutes: jobs writing to its storage units queue or fail. Check the
              storage server and its media servers (nbdevquery -listdp -U), then bring the pool up
              (nbdevconfig -changestate -state UP).
            ||| % c),
          },
        },
        {
          alert: 'NetBackupDiskPoolFullIn24h',
          // The linear trend reaches zero free space within the forecast, and little is free now
          // (so that a large, slowly filling pool does not page).
          expr: |||
            predict_linear(nbu_disk_pool_available_bytes{%(jobSelector)s}[%(diskPoolTrendHours)dh], %(diskPoolForecastHours)d * 3600) <= 0
            and on (%(target)s, name, type)
              nbu_disk_pool_available_bytes{%(jobSelector)s} / (nbu_disk_pool_capacity_bytes{%(jobSelector)s} > 0) < %(diskPoolFreeRatio)g
          ||| % c,
          'for': '1h',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: disk pool {{ $labels.name }} predicted full within %(diskPoolForecastHours)dh' % c,
            description: fold(|||
              At the rate of the last %(diskPoolTrendHours)d hours, disk pool {{ $labels.name }} ({{ $labels.type }}) of
              {{ $labels.%(instance)s }} runs out of space within %(diskPoolForecastHours)d hours. Check for an unusual backup
              volume or stuck image expiration / SLP duplications, and plan capacity.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupStorageServerDown',
          // The storage_servers collector reads the state every 5 minutes: 10m is two reads.
          expr: 'nbu_storage_server_up{%(jobSelector)s} == 0' % c,
          'for': '10m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: storage server {{ $labels.name }} ({{ $labels.type }}) is DOWN' % c,
            description: fold(|||
              Storage server {{ $labels.name }} ({{ $labels.type }}) of {{ $labels.%(instance)s }} has been
              DOWN for 10 minutes: backups, duplications and restores using its disk pools queue or
              fail. Check the host and its storage services (spad and spoold for MSDP), and the state
              NetBackup sees (nbdevquery -liststs -U). See the Storage dashboard.
            ||| % c),
          },
        },
      ],
    }],
  },
}
