// Package fakenbu is an in-memory fake of a NetBackup primary server's REST
// API (the parts the exporter reads: /admin/jobs, /storage/storage-units,
// /storage/disk-pools, /storage/drives, /storage/tape-media,
// /storage/tape-volume-pools, /storage/robots-device-hosts,
// /config/media-servers, /storage/storage-servers, /config/policies/ and a
// policy's detail, /catalog/images, /catalog/slp-images, /manage/alerts,
// /malware/latest-scan-results, /servicecatalog/slos, /licensing/capacity,
// /licensing/entitlements, /security/certificates, /config/hosts,
// /admin/hosts/{hostId}/services, /security/status, /security/anomalies,
// /security/api-keys, /security/serverinfo and /ping), with each
// endpoint's paging style, page size maxima and the API versions whose spec
// has it (older versions get the 404 of an unknown path), and POST /login and
// /logout for accounts that log in instead of using an API key. In strict mode
// (Options.Strict) it plays one release and holds every request to that
// release's spec (package specs), answering and recording each departure.
//
// It is an independent implementation of the server side of the Veritas
// OpenAPI specs: it deliberately shares no code with the exporter's client,
// so that tests comparing the client's view with the fake's own data can
// catch misreadings of the spec on either side.
package fakenbu
