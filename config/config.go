// Package config loads modules.yml: the named modules that say how the exporter talks to a
// NetBackup primary (credentials, TLS, API version, what to collect and how hard to push it).
package config

import (
	"slices"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

// APIVersionAuto makes the client negotiate the newest version the server serves.
const APIVersionAuto = "auto"

// supportedAPIVersions is in the order error messages list them: "auto", then the client's
// ladder, newest first because that is the order auto-negotiation tries them.
var supportedAPIVersions = append([]string{APIVersionAuto}, apiversion.Known...)

// Limits NetBackup itself puts on page sizes, and a sanity cap on per-target concurrency.
const (
	MaxJobsPageSize       = 100
	MaxStoragePageSize    = 500
	MaxConcurrentRequests = 64
	DefaultMaxSeries      = 100_000
	DefaultAPIPath        = "/netbackup"
	maxMaxSeries          = 10_000_000
)

// Config is the whole modules.yml. A *Config returned by Load or SafeConfig.Get is shared by
// concurrent probes and must be treated as read-only.
type Config struct {
	Modules map[string]*Module `yaml:"modules"`
}

// Module is one named way of probing a NetBackup primary.
type Module struct {
	Name       string   `yaml:"-"`
	Timeout    Duration `yaml:"timeout"`
	APIKey     Secret   `yaml:"api_key,omitempty"`
	APIKeyFile string   `yaml:"api_key_file,omitempty"`
	// APIKeyEnv names the environment variable that holds the key, read at load; /config shows
	// the name, never the value.
	APIKeyEnv string `yaml:"api_key_env,omitempty"`
	// APIKeyTag is the tag of the module's API key, whose expiry the security collector reports.
	APIKeyTag string `yaml:"api_key_tag,omitempty"`
	// A NetBackup user that logs in (POST /login), instead of an API key.
	Username     string `yaml:"username,omitempty"`
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	DomainType   string `yaml:"domain_type,omitempty"`
	DomainName   string `yaml:"domain_name,omitempty"`
	// TokenTTL is how long a login's token is used when NetBackup's answer does not say; 0 = the
	// client's default.
	TokenTTL              Duration             `yaml:"token_ttl,omitempty"`
	APIVersion            string               `yaml:"api_version"`
	TLSConfig             promconfig.TLSConfig `yaml:"tls_config,omitempty"`
	Collectors            []string             `yaml:"collectors"`
	Jobs                  JobsConfig           `yaml:"jobs"`
	Storage               StorageConfig        `yaml:"storage"`
	DiskPools             CacheConfig          `yaml:"disk_pools"`
	Tape                  CacheConfig          `yaml:"tape"`
	MediaServers          CacheConfig          `yaml:"media_servers"`
	Clients               ClientsConfig        `yaml:"clients"`
	Policies              PoliciesConfig       `yaml:"policies"`
	Catalog               CatalogConfig        `yaml:"catalog"`
	SLP                   SLPConfig            `yaml:"slp"`
	Alerts                AlertsConfig         `yaml:"alerts"`
	Malware               MalwareConfig        `yaml:"malware"`
	StorageServers        CacheConfig          `yaml:"storage_servers"`
	SLO                   SLOConfig            `yaml:"slo"`
	Licensing             LicensingConfig      `yaml:"licensing"`
	Certificates          CertificatesConfig   `yaml:"certificates"`
	Services              ServicesConfig       `yaml:"services"`
	Security              SecurityConfig       `yaml:"security"`
	MaxConcurrentRequests int                  `yaml:"max_concurrent_requests"`
	// MaxSeries caps the series one collector may return per probe; what it cuts is counted in
	// nbu_series_dropped. Far above what a large real master produces.
	MaxSeries      int      `yaml:"max_series"`
	AllowedTargets []string `yaml:"allowed_targets,omitempty"`
	AllowAnyTarget bool     `yaml:"allow_any_target,omitempty"`
	// APIPaths are the API base paths a target may have (a reverse proxy may put one primary's API
	// under a prefix). A path is part of a target's identity, so whoever reaches /probe must not
	// be able to invent new ones.
	APIPaths []string `yaml:"api_paths"`
	// InsecureHTTP lets this module be used with http:// targets, which send the API key in
	// clear. Off by default: whoever can reach /probe picks the target's scheme.
	InsecureHTTP bool `yaml:"insecure_http,omitempty"`

	// tokenTTLWritten tells token_ttl: 0s, an error, from no token_ttl.
	tokenTTLWritten bool

	// Filled at load. Unexported so the key and password read from files and the environment
	// never reach yaml.Marshal, and behind a pointer so fmt prints an address rather than a secret
	// if a Module is embedded unexported somewhere and printed with %+v.
	resolved *resolved
}

type resolved struct {
	apiKey, password string
	// tls is tls_config with the files' contents, read once at load through ReadFile, in place
	// of their paths: building a client never opens a file (which could have become a FIFO).
	tls *promconfig.TLSConfig
	// targets are allowed_targets, parsed.
	targets            []targetPattern
	sessionFingerprint string
}

// JobsConfig tunes the /admin/jobs collector.
type JobsConfig struct {
	Lookback Duration `yaml:"lookback"`
	PageSize int      `yaml:"page_size"`
	// StalledAfter: an active job whose byte count has not moved for this long is stalled.
	StalledAfter Duration `yaml:"stalled_after"`
	// MaxJobs bounds the jobs the state keeps per target: finished ones in the window and the
	// unfinished ones.
	MaxJobs int `yaml:"max_jobs"`
}

// StorageConfig tunes the storage-unit and disk-pool collector.
type StorageConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
	PageSize int      `yaml:"page_size"`
}

// CacheConfig tunes a collector of slow-changing data (disk pools, tape, media servers): how
// long one read is reused between probes. Its endpoints are read at the spec's maximum page size,
// so there is nothing else to tune.
type CacheConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
}

// DefaultModule returns a module with every default applied and no credentials or targets.
// Each call returns fresh slices, so modules built from it never share backing arrays.
func (s Schema) DefaultModule() Module {
	m := moduleDefaults()
	m.Collectors = slices.Clone(s.DefaultCollectors)
	return m
}

// moduleDefaults is DefaultModule without the collectors, which are the schema's: a module decodes
// onto it, and gets the schema's collectors at load if it lists none.
func moduleDefaults() Module {
	m := Module{
		Timeout:    Duration(30 * time.Second),
		APIVersion: APIVersionAuto,
		Jobs: JobsConfig{
			Lookback: Duration(time.Hour),
			PageSize: MaxJobsPageSize,
		},
		Storage: StorageConfig{
			CacheTTL: Duration(5 * time.Minute),
			PageSize: MaxStoragePageSize,
		},
		// Devices change state within minutes (a drive goes DOWN); the list of media servers
		// and their versions rarely does.
		DiskPools:             CacheConfig{CacheTTL: Duration(5 * time.Minute)},
		Tape:                  CacheConfig{CacheTTL: Duration(5 * time.Minute)},
		MediaServers:          CacheConfig{CacheTTL: Duration(10 * time.Minute)},
		MaxConcurrentRequests: 4,
		MaxSeries:             DefaultMaxSeries,
		APIPaths:              []string{DefaultAPIPath},
	}
	applyPostureDefaults(&m)
	applyJobsExtraDefaults(&m)
	applyStorageServersDefaults(&m)
	applySLODefaults(&m)
	applyLicensingDefaults(&m)
	applyServicesDefaults(&m)
	applySecurityDefaults(&m)
	return m
}

// Schema is what the loader must be told by prober's collector list, which config does not
// import: the collector names a module may list, in the order error messages list them, and
// those a module gets when it lists none. That list is then the only list of collectors.
type Schema struct {
	Collectors        []string
	DefaultCollectors []string
}
