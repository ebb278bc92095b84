// The protection dashboard's "Licensing and certificates" row: capacity used against licensed,
// when the licences end, and the host certificates that expire first.
local d = import '../lib/dashboard.libsonnet';

function(c) [
  d.row('Licensing and certificates'),
  d.stat(
    'Licensed capacity used',
    'Front-end data protected, as a share of the capacity the active FETB entitlements license (alert at %(licenseCapacityPercent)d %%).' % c,
    [
      d.query('nbu_license_capacity_used_bytes{%(sel)s} / sum without (meter) (nbu_license_capacity_bytes{%(sel)s} > 0)' % c, '{{%(instance)s}}' % c),
    ],
    w=6,
    h=6,
    unit='percentunit',
    thresholds=d.steps('green', [['orange', 0.8], ['red', c.licenseCapacityRatio]]),
  ),
  d.timeseries(
    'Capacity used and licensed',
    "Front-end data protected (NetBackup's capacity licensing measure) and the capacity licensed, per primary.",
    [
      d.query('nbu_license_capacity_used_bytes{%(sel)s}' % c, '{{%(instance)s}} used' % c),
      d.query('sum by (%(instance)s) (nbu_license_capacity_bytes{%(sel)s})' % c, '{{%(instance)s}} licensed' % c),
    ],
    w=12,
    h=6,
    unit='bytes',
  ),
  d.stat(
    'First licence ends in',
    'Time until the first active entitlement ends (alert under %(licenseExpiryDays)d days).' % c,
    [
      d.query('min by (%(instance)s) (nbu_license_expiry_timestamp_seconds{%(sel)s, status="ACTIVE"}) - time()' % c, '{{%(instance)s}}' % c),
    ],
    w=6,
    h=6,
    unit='dtdurations',
    thresholds=d.steps('red', [['orange', c.licenseExpirySeconds], ['green', 2 * c.licenseExpirySeconds]]),
  ),
  d.table(
    'Licences',
    'Every entitlement with the time until it ends and until its service (support) expires; negative: past.',
    [
      'nbu_license_expiry_timestamp_seconds{%(sel)s} - time()' % c,
      'nbu_license_service_expiry_timestamp_seconds{%(sel)s} - time()' % c,
    ],
    w=24,
    h=7,
    columns={
      'Value #A': 'Ends in',
      'Value #B': 'Service ends in',
      [c.instance]: 'Primary',
      entitlement: 'Entitlement',
      product: 'Product',
      meter: 'Meter',
      type: 'Type',
      status: 'Status',
    },
    hide=['job', 'module'],
    overrides=[
      d.column('Ends in', cell='color-background', unit='dtdurations', thresholds=d.steps('red', [['orange', 0], ['green', c.licenseExpirySeconds]])),
      d.column('Service ends in', unit='dtdurations'),
    ],
    sortBy='Ends in',
    sortDesc=false,
  ),
  d.stat(
    'Host certificates expiring within %(hostCertificateExpiryDays)d days' % c,
    'Hosts whose NetBackup host certificate expires within %(hostCertificateExpiryDays)d days or has expired.' % c,
    [
      d.query('sum by (%(instance)s) ((nbu_host_certificate_expiry_timestamp_seconds{%(sel)s} - time()) < bool %(hostCertificateExpirySeconds)d)' % c, '{{%(instance)s}}' % c),
    ],
    w=6,
    h=10,
    thresholds=d.steps('green', [['orange', 1]]),
  ),
  d.table(
    'Host certificates expiring first',
    "The 25 hosts whose NetBackup host certificate expires first (revoked and deleted certificates left out); a host's backups stop when it expires.",
    ['bottomk(25, nbu_host_certificate_expiry_timestamp_seconds{%(sel)s} - time())' % c],
    w=18,
    h=10,
    columns={ Value: 'Expires in', [c.instance]: 'Primary', host: 'Host', host_id: 'Host id', host_type: 'Type' },
    hide=['job', 'module'],
    overrides=[
      d.column('Expires in', cell='color-background', unit='dtdurations', thresholds=d.steps('red', [['orange', 7 * 86400], ['green', c.hostCertificateExpirySeconds]])),
    ],
    sortBy='Expires in',
    sortDesc=false,
  ),
]
