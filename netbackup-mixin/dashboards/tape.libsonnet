local d = import '../lib/dashboard.libsonnet';

{
  local c = $._config,

  grafanaDashboards+:: {
    'netbackup-tape.json': d.dashboard(
      c,
      'tape',
      'Tape',
      'Tape drives, media, volume pools and robots.',
      panels=[
        d.row('Drives'),
        d.stat(
          'Drives UP',
          'Drives UP for their media server.',
          ['sum(nbu_tape_drive_up{%(sel)s})' % c],
          w=6,
          h=4,
        ),
        d.stat(
          'Drives DOWN',
          'Drives DOWN for their media server.',
          ['sum(1 - nbu_tape_drive_up{%(sel)s})' % c],
          w=6,
          h=4,
          thresholds=d.steps('green', [['red', 1]]),
        ),
        d.stat(
          'Drives needing cleaning',
          'Drives that ask for a cleaning tape.',
          ['sum(nbu_tape_drive_cleaning_needed{%(sel)s})' % c],
          w=6,
          h=4,
          thresholds=d.steps('green', [['orange', 1]]),
        ),
        d.stat(
          'Robot device hosts',
          'Device hosts with robots configured.',
          ['sum(nbu_tape_robot_device_hosts{%(sel)s})' % c],
          w=6,
          h=4,
        ),
        d.table(
          'Drives',
          'Every drive per media server: type, robot and status.',
          [
            'max by (%(instance)s, drive_name, media_server, drive_type, robot_number, status) (nbu_tape_drive_info{%(sel)s})' % c,
          ],
          w=16,
          h=10,
          columns={ [c.instance]: 'Primary', drive_name: 'Drive', media_server: 'Media server', drive_type: 'Type', robot_number: 'Robot', status: 'Status' },
          hide=['Value'],
        ),
        d.bargauge(
          'Drives by status',
          'Drives by drive type, robot type and status.',
          [
            d.query('sum by (drive_type, robot_type, status) (nbu_tape_drives_count{%(sel)s})' % c, '{{drive_type}} {{robot_type}} {{status}}'),
          ],
          w=8,
          h=10,
        ),
        d.row('Media'),
        d.bargauge(
          'Scratch media',
          'Available media in each scratch pool (alert at 0).',
          [d.query('nbu_tape_scratch_media_count{%(sel)s}' % c, '{{%(instance)s}} {{pool}}' % c)],
          w=8,
          h=8,
          thresholds=d.steps('red', [['orange', 1], ['green', 10]]),
          instant=false,
        ),
        d.bargauge(
          'Media status',
          'Media by pool and status (frozen, suspended, full, active, ...).',
          [
            d.query('sum by (pool, status) (nbu_tape_media_status_count{%(sel)s})' % c, '{{pool}} {{status}}'),
          ],
          w=8,
          h=8,
        ),
        d.bargauge(
          'Partially full media',
          'Partially full media per volume pool.',
          [
            d.query('sum by (pool_name, pool_type) (nbu_tape_pool_partially_full{%(sel)s})' % c, '{{pool_name}} ({{pool_type}})'),
          ],
          w=8,
          h=8,
        ),
        d.timeseries(
          'Media by pool and type',
          'Tape volumes by volume pool and media type.',
          [
            d.query('sum by (pool, media_type) (nbu_tape_media_count{%(sel)s})' % c, '{{pool}} {{media_type}}'),
          ],
          w=12,
          h=8,
          stacked=true,
        ),
        d.timeseries(
          'Scratch media over time',
          'Available scratch media: a falling line means tapes are consumed faster than they expire.',
          [d.query('nbu_tape_scratch_media_count{%(sel)s}' % c, '{{%(instance)s}} {{pool}}' % c)],
          w=12,
          h=8,
        ),
      ],
    ),
  },
}
