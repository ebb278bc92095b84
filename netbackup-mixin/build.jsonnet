// The files shipped in the repository, by path from its root: `make mixin` writes them
// (jsonnet -S -m, which ends each with a newline), and internal/monitoring's
// TestMixinFilesUpToDate compares them with the files on disk.
local mixin = import 'mixin.libsonnet';

local rulesHeader = |||
  # Generated from netbackup-mixin/ by `make mixin`: edit the mixin, not this file.
  #
  # Alerting rules for netbackup_exporter. Load with `rule_files: [/etc/prometheus/rules/netbackup.rules.yml]`.
  #
  # Every series of the /probe job carries `%(instance)s` = the NetBackup primary (the README's
  # relabelling), so every alert below names the primary it is about. Rules join on
  # (%(target)s): keep them when you aggregate (a primary probed with two modules has a series
  # for each). They select the jobs %(jobSelector)s.
  #
  # Thresholds and selectors are the mixin's _config (netbackup-mixin/config.libsonnet). Unit
  # tests: alerts/netbackup_test.yml (`make rules-test`, part of `make test`).
||| % mixin._config;

{
  'alerts/netbackup.rules.yml':
    rulesHeader + std.manifestYamlDoc(mixin.prometheusAlerts, indent_array_in_object=true, quote_keys=false),
} + {
  ['dashboards/' + name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ')
  for name in std.objectFields(mixin.grafanaDashboards)
}
