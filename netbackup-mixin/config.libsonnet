// What an importer sets: `(import 'netbackup-mixin/mixin.libsonnet') + { _config+:: { ... } }`.
// The defaults produce the files shipped in alerts/ and dashboards/.
{
  _config+:: {
    // Selects the exporter's scrape jobs, the /probe jobs and the exporter's own /metrics job, in
    // every alert and dashboard query. Needed: probe_success and probe_ssl_earliest_cert_expiry
    // are blackbox_exporter's names too. Never empty (match all with 'job=~".+"').
    jobSelector: 'job=~"netbackup.*"',
    // The label that names the NetBackup primary on the /probe jobs' series (the README's
    // relabelling sets instance to the target).
    instanceLabel: 'instance',

    // Alert thresholds; the dashboards colour by the same numbers.
    jobFailureRatio: 0.1,  // NetBackupJobFailureRatioHigh: share of the window's jobs failed
    jobFailureMinJobs: 10,  // ... and only with at least this many jobs in the window
    storageFullRatio: 0.9,  // NetBackupStorageUnitAlmostFull; red on the fill panels
    diskPoolTrendHours: 6,  // NetBackupDiskPoolFullIn24h: the trend of this many hours
    diskPoolForecastHours: 24,  // ... how far ahead it predicts
    diskPoolFreeRatio: 0.4,  // ... and only below this share free
    certificateExpiryDays: 14,  // NetBackupCertificateExpiringSoon
    clientBackupMaxAgeHours: 48,  // NetBackupClientBackupTooOld, for a client without a known backup frequency
    clientBackupFrequencyFactor: 1.5,  // ... and for one with: this many times its nbu_client_backup_frequency_seconds
    backupStillFailingHours: 24,  // NetBackupBackupStillFailing: a backup failed and none succeeded since, for this long
    clientCopyMaxLagHours: 24,  // NetBackupClientCopyBehind: a client's last copy this much older than its last good backup
    jobsStalledFor: '30m',  // NetBackupJobsStalled: jobs stalled (jobs.stalled_after) for this long besides
    catalogBackupMaxAgeHours: 36,  // NetBackupCatalogBackupTooOld
    slpBacklogHours: 6,  // NetBackupSLPBacklogGrowing: growth over, and oldest image older than
    licenseCapacityRatio: 0.9,  // NetBackupLicenseCapacityHigh: share of the licensed capacity used
    licenseExpiryDays: 30,  // NetBackupLicenseExpiringSoon
    hostCertificateExpiryDays: 30,  // NetBackupHostCertificateExpiringSoon
    // NetBackupCoreServiceDown: the services (daemons, as /admin/hosts/{hostId}/services names
    // them) whose stop breaks backups, on whichever host lists them. Primary: request daemon,
    // database, media manager, resource broker, job manager, policy execution, SLPs,
    // authentication, web service (the REST API); every server: client and network services,
    // remote manager (disk storage of media servers).
    coreServices: ['bprd', 'bpdbm', 'nbemm', 'nbrb', 'nbjm', 'nbpem', 'nbstserv', 'nbatd', 'nbwmc', 'bpcd', 'vnetd', 'nbrmms'],
    servicesHostUnreadableMinutes: 30,  // NetBackupServicesHostUnreadable
    securityRiskScoreMax: 50,  // NetBackupSecurityRiskScoreHigh: platform risk score (0..100) above
    apiKeyExpiryDays: 14,  // NetBackupExporterAPIKeyExpiringSoon

    // Dashboards.
    dashboardUIDPrefix: 'netbackup-',  // + overview, jobs, storage, tape, protection
    dashboardTitlePrefix: 'NetBackup / ',
    dashboardTags: ['netbackup', 'netbackup_exporter'],  // the first one links them to each other
    dashboardRefresh: '1m',
    dashboardPeriod: 'now-24h',
    dashboardTimezone: '',  // '' is the viewer's
    datasourceName: '',  // the data source selected first; '' is Grafana's default one
    datasourceRegex: '',  // limits the data sources offered

    // Derived, for the alerts' and dashboards' format strings (not meant to be set): %(sel)s is
    // what every dashboard query selects, %(instance)s the instance label.
    sel: '%s, %s=~"$instance", module=~"$module"' % [self.jobSelector, self.instanceLabel],
    instance: self.instanceLabel,
    // %(target)s: the labels that name one probed primary in a match or an aggregation: the job,
    // the instance, and the module (the Helm chart's Probes and the README's target files set it,
    // so that a primary probed with two modules gives two series; absent, it matches as empty).
    target: 'job, %s, module' % self.instanceLabel,
    jobFailurePercent: std.round(self.jobFailureRatio * 100),
    storageFullPercent: std.round(self.storageFullRatio * 100),
    diskPoolForecastSeconds: self.diskPoolForecastHours * 3600,
    certificateExpirySeconds: self.certificateExpiryDays * 86400,
    clientBackupMaxAgeSeconds: self.clientBackupMaxAgeHours * 3600,
    clientCopyMaxLagSeconds: self.clientCopyMaxLagHours * 3600,
    catalogBackupMaxAgeSeconds: self.catalogBackupMaxAgeHours * 3600,
    licenseCapacityPercent: std.round(self.licenseCapacityRatio * 100),
    licenseExpirySeconds: self.licenseExpiryDays * 86400,
    hostCertificateExpirySeconds: self.hostCertificateExpiryDays * 86400,
    coreServicesRegex: std.join('|', self.coreServices),
    apiKeyExpirySeconds: self.apiKeyExpiryDays * 86400,

    assert self.jobSelector != '' : 'jobSelector must not be empty: use job=~".+" to match every job',
  },
}
