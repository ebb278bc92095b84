// Package apiversion is the one list of the NetBackup REST API versions the exporter knows: the
// client's detection ladder, what config accepts for api_version, what the fake serves, and the
// versions collectors compare against to know what a primary's spec has.
package apiversion

// The media-type versions, by the NetBackup release that first serves each.
const (
	V10 = "10.0" // NetBackup 10.0 to 10.4
	V12 = "12.0" // NetBackup 10.5
	V13 = "13.0" // NetBackup 11.0
	V14 = "14.0" // NetBackup 11.2
)

// Known are the media-type versions, newest first (the detection ladder).
var Known = []string{V14, V13, V12, V10}

// Release names the NetBackup release that serves each version (10.0 is served by 10.0-10.4).
var Release = map[string]string{
	V14: "11.2",
	V13: "11.0",
	V12: "10.5",
	V10: "10.4",
}
