local fold = (import '../lib/text.libsonnet').fold;

{
  local c = $._config,

  prometheusAlerts+:: {
    groups+: [{
      name: 'netbackup.services',
      rules: [
        {
          alert: 'NetBackupCoreServiceDown',
          // As of the host's last read, at most services.cache_ttl old: the for: covers it.
          expr: 'nbu_service_up{%(jobSelector)s, service=~"%(coreServicesRegex)s"} == 0' % c,
          'for': '10m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: service {{ $labels.service }} is not running on {{ $labels.host }}' % c,
            description: fold(|||
              NetBackup service {{ $labels.service }} on {{ $labels.host }} (primary
              {{ $labels.%(instance)s }}) has not been RUNNING for 10 minutes (nbu_service_status says
              whether it is STOPPED or DISABLED). Jobs that need it queue or fail. Check the host
              (bpps -x, the service's logs under /usr/openv/netbackup/logs) and start it
              (the web UI's Hosts, NetBackup services, or netbackup start).
            ||| % c),
          },
        },
        {
          alert: 'NetBackupServicesHostUnreadable',
          expr: 'nbu_services_host_readable{%(jobSelector)s} == 0' % c,
          'for': '%(servicesHostUnreadableMinutes)dm' % c,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'NetBackup primary {{ $labels.%(instance)s }}: the services of {{ $labels.host }} cannot be read' % c,
            description: fold(|||
              For %(servicesHostUnreadableMinutes)d minutes the primary {{ $labels.%(instance)s }} has not
              been able to list the NetBackup services of {{ $labels.host_type }} {{ $labels.host }}:
              the host is down or unreachable from the primary, or its release (before 8.2) or
              deployment (Cloud Scale) does not serve the list. Check that the host is up and that
              the primary reaches it (bptestbpcd -host {{ $labels.host }}).
            ||| % c),
          },
        },
      ],
    }],
  },
}
