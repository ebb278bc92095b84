local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.tape',
      rules: [
        {
          alert: 'NetBackupTapeDriveDown',
          expr: 'nbu_tape_drive_up{%(jobSelector)s} == 0' % c,
          'for': '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: tape drive {{ $labels.drive_name }} is DOWN on {{ $labels.media_server }}' % c,
            description: fold(|||
              Tape drive {{ $labels.drive_name }} of {{ $labels.%(instance)s }} has been DOWN for media
              server {{ $labels.media_server }} for 15 minutes. Check the drive and robot
              (vmoprcmd -d, tpconfig -l) and the media server's device logs, then bring it up.
            ||| % c),
          },
        },
        {
          alert: 'NetBackupNoScratchMedia',
          expr: 'nbu_tape_scratch_media_count{%(jobSelector)s} == 0' % c,
          'for': '30m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: no scratch tape left in pool {{ $labels.pool }}' % c,
            description: fold(|||
              Scratch pool {{ $labels.pool }} of {{ $labels.%(instance)s }} has no available media: tape
              jobs will queue waiting for media. Load new or expired tapes into the robot and
              inventory it, or check why media do not expire. See the Tape dashboard.
            ||| % c),
          },
        },
      ],
    }],
  },
}
