// The netbackup_exporter monitoring mixin: _config (config.libsonnet), prometheusAlerts and
// grafanaDashboards.
(import 'config.libsonnet')
+ (import 'alerts/alerts.libsonnet')
+ (import 'dashboards/dashboards.libsonnet')
