package fakenbu

import (
	"net/http"
	"slices"
	"time"
)

// Demo facts of the hosts, services and security endpoints, named for tests.
const (
	DemoStoppedServiceHost = demoMedia2 // a media server with a core service STOPPED
	DemoStoppedService     = "nbrmms"   // ... that one
	DemoUnreachableHost    = "media03.example.com"
	DemoRiskScore          = 38.5
	// DemoAPIKeyTag is the tag of the demo's API key (the one demo-key stands for), which expires
	// DemoAPIKeyExpiresIn after the demo's now.
	DemoAPIKeyTag       = "a3f1c9e2d7b64e58"
	DemoAPIKeyExpiresIn = 10 * 24 * time.Hour
)

// HostsSecurityData is a complete data set for the hosts, services and security endpoints.
type HostsSecurityData struct {
	Hosts     []Host
	Status    *SecurityStatus
	Anomalies []Anomaly
	APIKeys   []APIKeyRecord
}

// SetHostsSecurity installs d in place of what the server held.
func (s *Server) SetHostsSecurity(d HostsSecurityData) {
	s.SetHosts(d.Hosts)
	s.SetSecurityStatus(d.Status)
	s.SetAnomalies(d.Anomalies)
	s.SetAPIKeyRecords(d.APIKeys)
}

// HostID is the uuid the demo gives a host, the one /config/media-servers serves as well.
func HostID(name string) string { return "00000000-0000-4000-8000-" + hostHex(name) }

// DemoHostsSecurity returns the demo data set, relative to now: the primary (named primary) and
// three media servers, one with nbrmms STOPPED and one the primary cannot reach (answering 500),
// a client (which /config/hosts lists but the exporter does not read); a risk score and the
// settings it scores; anomalies of every status, one older than a week; the demo key, expiring in
// ten days, and another user's.
func DemoHostsSecurity(now time.Time, primary string) HostsSecurityData {
	now = now.UTC().Truncate(time.Second)
	host := func(name, typ, os, version string, services []Service) Host {
		return Host{ID: HostID(name), Name: name, Type: typ, OSType: os, NBUVersion: version, Services: services}
	}
	media2 := demoServices(mediaDaemons)
	for i := range media2 {
		if media2[i].Name == DemoStoppedService {
			media2[i].Status = "STOPPED"
		}
	}
	unreachable := host(DemoUnreachableHost, "MEDIA_SERVER", "Windows", "10.4", nil)
	unreachable.ServicesStatus = http.StatusInternalServerError
	d := HostsSecurityData{
		Hosts: []Host{
			host(primary, "PRIMARY_SERVER", "Linux", "11.0", append(demoServices(primaryDaemons), Service{Name: "bmrd",
				DisplayName: "NetBackup Bare Metal Restore Primary Server", Status: "DISABLED"})),
			host(demoMedia1, "MEDIA_SERVER", "Linux", "10.5", demoServices(slices.Concat(mediaDaemons, []string{"spad", "spoold"}))),
			host(demoMedia2, "MEDIA_SERVER", "Linux", "10.5", media2),
			unreachable,
			host("client01.example.com", "CLIENT", "Linux", "10.5", demoServices([]string{"bpcd", "vnetd"})),
		},
		Status: demoSecurityStatus(),
		APIKeys: []APIKeyRecord{
			{Tag: DemoAPIKeyTag, UserName: "svc-monitor", Created: now.Add(-170 * 24 * time.Hour), Expiry: now.Add(DemoAPIKeyExpiresIn),
				Description: "netbackup_exporter"},
			{Tag: "77c0b1e9f2a84d13", UserName: "backup-admin", Created: now.Add(-20 * 24 * time.Hour), Expiry: now.Add(340 * 24 * time.Hour)},
		},
	}
	for i, a := range []struct {
		ago              time.Duration
		status, severity string
	}{
		{2 * time.Hour, "NOT_REVIEWED", "HIGH"},
		{20 * time.Hour, "NOT_REVIEWED", "MEDIUM"},
		{3 * 24 * time.Hour, "REPORTED_FALSE_POSITIVE", "LOW"},
		{5 * 24 * time.Hour, "IGNORED", "LOW"},
		{6 * 24 * time.Hour, "ANOMALY", "HIGH"},
		{30 * 24 * time.Hour, "NOT_REVIEWED", "LOW"}, // outside a week's window
	} {
		d.Anomalies = append(d.Anomalies, Anomaly{ID: "anomaly-" + string(rune('1'+i)), Created: now.Add(-a.ago),
			JobID: int64(demoJobBase + 500 + i), ClientName: "app-0" + string(rune('1'+i%4)), PolicyName: "daily-fs",
			Status: a.status, Severity: a.severity, Score: "0.9", Count: 2})
	}
	return d
}

// The daemons of the demo's servers, with their display names.
var (
	primaryDaemons = []string{"bpcd", "bpcompatd", "bpdbm", "bprd", "nbatd", "nbaudit", "nbazd", "nbdisco", "nbemm",
		"nbevtmgr", "nbjm", "nbpem", "nbrb", "nbrmms", "nbsl", "nbstserv", "nbsvcmon", "nbwmc", "vnetd"}
	mediaDaemons  = []string{"bpcd", "ltid", "nbdisco", "nbrmms", "nbsl", "nbsvcmon", "vmd", "vnetd"}
	daemonDisplay = map[string]string{
		"bpcd": "NetBackup Client Service", "bpcompatd": "NetBackup Compatibility Service",
		"bpdbm": "NetBackup Database Manager", "bprd": "NetBackup Request Daemon",
		"nbatd": "NetBackup Authentication", "nbaudit": "NetBackup Audit Manager", "nbazd": "NetBackup Authorization",
		"nbdisco": "NetBackup Discovery Framework", "nbemm": "NetBackup Enterprise Media Manager",
		"nbevtmgr": "NetBackup Event Manager", "nbjm": "NetBackup Job Manager", "nbpem": "NetBackup Policy Execution Manager",
		"nbrb": "NetBackup Resource Broker", "nbrmms": "NetBackup Remote Manager and Monitor Service",
		"nbsl": "NetBackup Service Layer", "nbstserv": "NetBackup Storage Lifecycle Manager",
		"nbsvcmon": "NetBackup Service Monitor", "nbwmc": "NetBackup Web Management Console",
		"vnetd": "NetBackup Legacy Network Service", "ltid": "NetBackup Device Manager", "vmd": "NetBackup Volume Manager",
		"spad": "NetBackup Deduplication Manager", "spoold": "NetBackup Deduplication Engine",
	}
)

func demoServices(daemons []string) []Service {
	out := make([]Service, 0, len(daemons))
	for _, d := range daemons {
		out = append(out, Service{Name: d, DisplayName: daemonDisplay[d], Status: "RUNNING"})
	}
	return out
}

// demoSecurityStatus is a domain with MFA and multi-person authorisation off and data-in-transit
// encryption mostly off: a middling score. MFA has a baseline (served from API 13.0 on).
func demoSecurityStatus() *SecurityStatus {
	mfaBaseline := 0.0
	return &SecurityStatus{RiskScore: DemoRiskScore, Settings: []SecuritySetting{
		{Name: "ssoEnabled", Current: false, Weight: 5, RiskScore: 100},
		{Name: "allowInsecureBackLevelHost", Current: 0, Weight: 10, RiskScore: 0},
		{Name: "certificateAutoDeployLevel", Current: 1, Weight: 10, RiskScore: 50},
		{Name: "mfaEnforced", Current: false, Weight: 20, RiskScore: 100, BaselineRiskScore: &mfaBaseline},
		{Name: "dteGlobalMode", Current: "PREFERRED_OFF", Weight: 10, RiskScore: 100},
		{Name: "hostPercentageWithDteEnabled", Current: 40.0, Weight: 10, RiskScore: 60},
		{Name: "backupAnomalyDetection", Current: 2, Weight: 10, RiskScore: 0},
		{Name: "aliasAutoAdd", Current: 1, Weight: 5, RiskScore: 100},
		{Name: "mpa", Current: "DISABLED", Weight: 10, RiskScore: 100},
		{Name: "hostPercentageWithServiceUser", Current: 75.0, Weight: 5, RiskScore: 25},
		{Name: "malwareDetection", Current: "ENABLED", Weight: 5, RiskScore: 0},
	}}
}
