// Package specs holds requests to Veritas's OpenAPI specs of the NetBackup REST API, release by
// release: a table derived from the spec files (endpoints/<release>.json, written by gen from
// ../shared/docs/veritas, which CI does not have) and a check of one request against it (path,
// method, query parameters, media type versions). The fake primary's strict mode and the
// exporter's spec test use it; the exporter itself does not.
package specs

//go:generate go run ./gen -specs ../../../shared/docs/veritas -out endpoints
