// Package fakenbu is an in-memory fake of a NetBackup primary server's REST
// API (the parts the exporter reads: /admin/jobs, /storage/storage-units,
// /storage/disk-pools, /security/serverinfo and /ping, and POST /login and /logout for
// accounts that log in instead of using an API key).
//
// It is an independent implementation of the server side of the Veritas
// OpenAPI specs: it deliberately shares no code with the exporter's client,
// so that tests comparing the client's view with the fake's own data can
// catch misreadings of the spec on either side.
package fakenbu
