// One file per rule group, each appending its group to prometheusAlerts.groups.
(import 'exporter.libsonnet')
+ (import 'primary.libsonnet')
+ (import 'jobs.libsonnet')
+ (import 'storage.libsonnet')
+ (import 'tape.libsonnet')
+ (import 'protection.libsonnet')
+ (import 'licensing.libsonnet')
