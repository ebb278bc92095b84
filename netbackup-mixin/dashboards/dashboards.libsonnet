// One file per dashboard, each adding itself to grafanaDashboards under its file name.
(import 'overview.libsonnet')
+ (import 'jobs.libsonnet')
+ (import 'storage.libsonnet')
+ (import 'tape.libsonnet')
+ (import 'protection.libsonnet')
