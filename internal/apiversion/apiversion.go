// Package apiversion is the one list of the NetBackup REST API versions the exporter knows: the
// client's detection ladder, what config accepts for api_version, and what the fake serves.
package apiversion

// Known are the media-type versions, newest first (the detection ladder).
var Known = []string{"14.0", "13.0", "12.0", "10.0"}

// Release names the NetBackup release that serves each version (10.0 is served by 10.0-10.4).
var Release = map[string]string{
	"14.0": "11.2",
	"13.0": "11.0",
	"12.0": "10.5",
	"10.0": "10.4",
}
