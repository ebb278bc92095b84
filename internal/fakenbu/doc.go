// Package fakenbu is an in-memory fake of a NetBackup primary server's REST
// API (the parts the exporter reads: /admin/jobs, /storage/storage-units,
// /storage/disk-pools, /config/policies/ and a policy's detail, /catalog/images,
// /catalog/slp-images, /manage/alerts, /malware/latest-scan-results,
// /security/serverinfo and /ping).
//
// It is an independent implementation of the server side of the Veritas
// OpenAPI specs: it deliberately shares no code with the exporter's client,
// so that tests comparing the client's view with the fake's own data can
// catch misreadings of the spec on either side.
package fakenbu
