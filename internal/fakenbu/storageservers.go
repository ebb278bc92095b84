package fakenbu

import (
	"net/http"
	"net/url"
	"slices"
)

// maxStorageServersLimit is the page[limit] maximum of /storage/storage-servers (storage.yaml,
// 10.3 to 11.0).
const maxStorageServersLimit = 100

// StorageServer is the fake's model of one storage server (/storage/storage-servers).
type StorageServer struct {
	Name     string
	SType    string // PureDisk, AdvancedDisk, amazon_raw, ...
	Category string // MSDP, ADVANCED_DISK, CLOUD, CLOUD_CATALYST, OPEN_STORAGE
	// Version is nbuHostVersion, which the spec gives for MSDP and ADVANCED_DISK only: "" is
	// served without it.
	Version      string
	Up           bool
	MediaServers []string // additionalMediaServersDetails
	StorageUnits []string
	// Pool is msdpAttributes.storagePoolDetails; nil is served without msdpAttributes.
	Pool *StoragePool
}

// StoragePool is an MSDP storage server's storagePoolDetails.
type StoragePool struct {
	RawSizeBytes, ReservedSpaceBytes, SizeBytes, UsedSpaceBytes, AvailableSpaceBytes int64
}

// ID is the server's data[].id, "<sType>:<name>" as NetBackup forms it.
func (s *StorageServer) ID() string { return s.SType + ":" + s.Name }

type storageServerResource struct {
	Links struct {
		Self href `json:"self"`
	} `json:"links"`
	Type          string                  `json:"type"`
	ID            string                  `json:"id"`
	Attributes    storageServerAttributes `json:"attributes"`
	Relationships struct {
		UniversalShares struct {
			Links relatedLink       `json:"links"`
			Data  []relationshipRef `json:"data"`
		} `json:"universalShares"`
	} `json:"relationships"`
}

type storageServerAttributes struct {
	Name                          string              `json:"name"`
	StorageCategory               string              `json:"storageCategory"`
	SType                         string              `json:"sType"`
	NBUHostVersion                string              `json:"nbuHostVersion,omitempty"`
	AdditionalMediaServersDetails []mediaServerDetail `json:"additionalMediaServersDetails"`
	EncryptionEnabled             bool                `json:"encryptionEnabled"`
	KMSEnabled                    bool                `json:"kmsEnabled"`
	IsSnapshotSupported           bool                `json:"isSnapshotSupported"`
	IsAcceleratorSupported        bool                `json:"isAcceleratorSupported"`
	IsAIRSupported                bool                `json:"isAIRSupported"`
	StorageServerState            string              `json:"storageServerState"`
	StorageServerCapabilities     []string            `json:"storageServerCapabilities"`
	StorageUnits                  []string            `json:"storageUnits"`
	IsWormSupported               bool                `json:"isWormSupported"`
	IsUshareSupported             bool                `json:"isUshareSupported"`
	MSDPAttributes                *msdpAttributes     `json:"msdpAttributes,omitempty"`
}

// msdpAttributes carries the members the spec requires of it.
type msdpAttributes struct {
	StoragePath                  string  `json:"storagePath"`
	SpaLogPath                   string  `json:"spaLogPath"`
	DeduplicationDBPath          string  `json:"deduplicationDBPath"`
	SpecificNetworkInterface     string  `json:"specificNetworkInterface"`
	SpaLogRetention              int     `json:"spaLogRetention"`
	VerboseLevel                 int     `json:"verboseLevel"`
	FipsEnabled                  bool    `json:"fipsEnabled"`
	StoragePoolDetails           any     `json:"storagePoolDetails"`
	CatalogLogicalSizeBytes      int64   `json:"catalogLogicalSizeBytes"`
	CatalogFilesCount            int64   `json:"catalogFilesCount"`
	DeduplicationRatioPercentage float64 `json:"deduplicationRatioPercentage"`
}

type storagePoolDetails struct {
	RawSizeBytes        int64 `json:"rawSizeBytes"`
	ReservedSpaceBytes  int64 `json:"reservedSpaceBytes"`
	SizeBytes           int64 `json:"sizeBytes"`
	UsedSpaceBytes      int64 `json:"usedSpaceBytes"`
	AvailableSpaceBytes int64 `json:"availableSpaceBytes"`
}

func (s *Server) renderStorageServer(base string, ss *StorageServer) storageServerResource {
	var r storageServerResource
	r.ID, r.Type = ss.ID(), "storageServer"
	r.Links.Self.Href = base + "/storage/storage-servers/" + url.PathEscape(r.ID)
	r.Relationships.UniversalShares.Links.Related.Href = r.Links.Self.Href + "/universal-shares"
	r.Relationships.UniversalShares.Data = []relationshipRef{}
	state := "DOWN"
	if ss.Up {
		state = "UP"
	}
	a := storageServerAttributes{
		Name: ss.Name, StorageCategory: ss.Category, SType: ss.SType, NBUHostVersion: ss.Version,
		AdditionalMediaServersDetails: []mediaServerDetail{},
		IsAIRSupported:                ss.Category == "MSDP", IsAcceleratorSupported: ss.Category == "MSDP",
		StorageServerState: state, StorageServerCapabilities: []string{"OPEN_STORAGE", "DISK_GROUPS", "ADMIN_UP"},
		StorageUnits: slices.Clone(ss.StorageUnits),
	}
	if a.StorageUnits == nil {
		a.StorageUnits = []string{}
	}
	for _, m := range ss.MediaServers {
		a.AdditionalMediaServersDetails = append(a.AdditionalMediaServersDetails,
			mediaServerDetail{Name: m, OperatingSystem: "Linux", NetbackupVersion: s.nbuVersion()})
	}
	if p := ss.Pool; p != nil {
		a.MSDPAttributes = &msdpAttributes{StoragePath: "/msdp/data", SpaLogPath: "/msdp/log", DeduplicationDBPath: "/msdp/cat",
			SpaLogRetention: 90, VerboseLevel: 3, CatalogFilesCount: 1 << 20, DeduplicationRatioPercentage: 91.5,
			StoragePoolDetails: storagePoolDetails{RawSizeBytes: p.RawSizeBytes, ReservedSpaceBytes: p.ReservedSpaceBytes,
				SizeBytes: p.SizeBytes, UsedSpaceBytes: p.UsedSpaceBytes, AvailableSpaceBytes: p.AvailableSpaceBytes}}
	}
	r.Attributes = a
	return r
}

// handleStorageServers serves GET /storage/storage-servers: offset paging (page[limit] 1..100,
// default 10), sort by name; the fake filters nothing.
func (s *Server) handleStorageServers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.parseOffsetRequest(w, rc, q, maxStorageServersLimit)
	if !ok || !s.noFilter(w, rc, q) || !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := slices.Clone(s.storageServers)
	s.mu.RUnlock()
	sortByName(items, or, func(ss *StorageServer) string { return ss.Name })
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/storage/storage-servers", q, func(ss *StorageServer) storageServerResource {
		return s.renderStorageServer(base, ss)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// SetStorageServers replaces the storage servers served.
func (s *Server) SetStorageServers(servers []StorageServer) {
	c := slices.Clone(servers)
	for i := range c {
		c[i].MediaServers = slices.Clone(c[i].MediaServers)
		c[i].StorageUnits = slices.Clone(c[i].StorageUnits)
		if p := c[i].Pool; p != nil {
			pool := *p
			c[i].Pool = &pool
		}
	}
	s.mu.Lock()
	s.storageServers = c
	s.mu.Unlock()
}

// DemoStorageServers returns the storage servers behind DemoDiskPools: media01's MSDP server
// (UP, with media02 as an additional media server and its pool 62 % used), media02's AdvancedDisk
// server (UP), media02's MSDP server with the cloud LSU (DOWN, as its pool is), and a cloud
// storage server, for which NetBackup gives no host version.
func DemoStorageServers() []StorageServer {
	return []StorageServer{
		{Name: demoMedia1, SType: "PureDisk", Category: "MSDP", Version: "10.5", Up: true, MediaServers: []string{demoMedia2},
			StorageUnits: []string{"stu-msdp-01", "stu-msdp-worm"},
			Pool: &StoragePool{RawSizeBytes: 153 * tib, ReservedSpaceBytes: 3 * tib, SizeBytes: 150 * tib,
				UsedSpaceBytes: 93 * tib, AvailableSpaceBytes: 57 * tib}},
		{Name: demoMedia2, SType: "AdvancedDisk", Category: "ADVANCED_DISK", Version: "10.5", Up: true,
			StorageUnits: []string{"stu-adv-01"}},
		{Name: demoMedia2, SType: "PureDisk", Category: "MSDP", Version: "10.5", Up: false,
			StorageUnits: []string{"stu-cloud-s3"}},
		{Name: "s3.eu-west-1.amazonaws.com", SType: "amazon_raw", Category: "CLOUD", Up: true, MediaServers: []string{demoMedia1}},
	}
}
