package fakenbu

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	defaultOffsetLimit = 10
	maxOffsetLimit     = 500
)

// offsetPagination is meta.pagination of offset-paged lists: all integers,
// next absent on the last page and prev absent on the first.
type offsetPagination struct {
	Count  int  `json:"count"`
	Pages  int  `json:"pages"`
	Page   int  `json:"page"`
	Offset int  `json:"offset"`
	Limit  int  `json:"limit"`
	First  int  `json:"first"`
	Last   int  `json:"last"`
	Next   *int `json:"next,omitempty"`
	Prev   *int `json:"prev,omitempty"`
}

type offsetResponse[R any] struct {
	Data  []R       `json:"data"`
	Links pageLinks `json:"links"`
	Meta  struct {
		Pagination offsetPagination `json:"pagination"`
	} `json:"meta"`
}

// offsetRequest is a validated offset-paged list request.
type offsetRequest struct {
	offset, limit int
	desc          bool // sort=-name
	sorted        bool // sort=name or -name
}

// parseOffsetRequest validates page[offset], page[limit] (1..maxLimit, the
// endpoint's documented maximum) and sort.
func (s *Server) parseOffsetRequest(w http.ResponseWriter, rc *reqCtx, q url.Values, maxLimit int) (offsetRequest, bool) {
	var or offsetRequest
	var ok bool
	if or.limit, ok = intParam(q, "page[limit]", defaultOffsetLimit); !ok || or.limit < 1 || or.limit > maxLimit {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[limit].",
			"page[limit] must be an integer from 1 to "+strconv.Itoa(maxLimit)+", got "+strconv.Quote(q.Get("page[limit]")))
		return or, false
	}
	if or.offset, ok = intParam(q, "page[offset]", 0); !ok || or.offset < 0 {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[offset].",
			"page[offset] must be a non-negative integer, got "+strconv.Quote(q.Get("page[offset]")))
		return or, false
	}
	switch q.Get("sort") {
	case "":
	case "name":
		or.sorted = true
	case "-name":
		or.sorted, or.desc = true, true
	default:
		s.writeError(w, rc, http.StatusBadRequest, "Invalid sort.",
			"sort "+strconv.Quote(q.Get("sort"))+": the fake sorts only on name or -name")
		return or, false
	}
	return or, true
}

// offsetPage slices items and builds the pagination block and links.
func offsetPage[T, R any](or offsetRequest, items []T, self string, q url.Values, render func(*T) R) offsetResponse[R] {
	count := len(items)
	var resp offsetResponse[R]
	pages := (count + or.limit - 1) / or.limit
	last := 0
	if pages > 0 {
		last = (pages - 1) * or.limit
	}
	p := offsetPagination{Count: count, Pages: pages, Page: or.offset/or.limit + 1, Offset: or.offset,
		Limit: or.limit, First: 0, Last: last}
	link := func(off int) *href {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page[offset]", strconv.Itoa(off))
		v.Set("page[limit]", strconv.Itoa(or.limit))
		return &href{self + "?" + v.Encode()}
	}
	resp.Links.Self = link(or.offset)
	resp.Links.First = link(0)
	resp.Links.Last = link(last)
	if next := or.offset + or.limit; next < count {
		p.Next = &next
		resp.Links.Next = link(next)
	}
	if or.offset > 0 {
		prev := max(or.offset-or.limit, 0)
		p.Prev = &prev
		resp.Links.Prev = link(prev)
	}
	resp.Meta.Pagination = p
	end := min(or.offset+or.limit, count)
	resp.Data = make([]R, 0, max(end-or.offset, 0))
	for i := or.offset; i < end; i++ {
		resp.Data = append(resp.Data, render(&items[i]))
	}
	return resp
}

// filtered returns the items matching f, sorted by name when asked.
func filtered[T any](items []T, f filter[T], or offsetRequest, name func(*T) string) []T {
	out := make([]T, 0, len(items))
	for i := range items {
		if f.match(&items[i]) {
			out = append(out, items[i])
		}
	}
	sortByName(out, or, name)
	return out
}

// sortByName applies sort=name or sort=-name.
func sortByName[T any](items []T, or offsetRequest, name func(*T) string) {
	if !or.sorted {
		return
	}
	slices.SortStableFunc(items, func(a, b T) int {
		c := strings.Compare(name(&a), name(&b))
		if or.desc {
			return -c
		}
		return c
	})
}

type relatedLink struct {
	Related href `json:"related"`
}

type relationshipRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type storageUnitResource struct {
	Links struct {
		Self href `json:"self"`
	} `json:"links"`
	Type          string                `json:"type"`
	ID            string                `json:"id"`
	Attributes    storageUnitAttributes `json:"attributes"`
	Relationships struct {
		DiskPool *struct {
			Links relatedLink     `json:"links"`
			Data  relationshipRef `json:"data"`
		} `json:"diskPool,omitempty"`
	} `json:"relationships"`
}

type mediaServerDetail struct {
	Name             string `json:"name"`
	OperatingSystem  string `json:"operatingSystem"`
	NetbackupVersion string `json:"netbackupVersion"`
}

type storageUnitAttributes struct {
	Name                       string              `json:"name"`
	StorageType                string              `json:"storageType"`
	StorageSubType             string              `json:"storageSubType"`
	StorageServerType          string              `json:"storageServerType"`
	StorageCategory            string              `json:"storageCategory"`
	UseAnyAvailableMediaServer bool                `json:"useAnyAvailableMediaServer"`
	Accelerator                bool                `json:"accelerator"`
	ReplicationCapable         bool                `json:"replicationCapable"`
	ReplicationSourceCapable   bool                `json:"replicationSourceCapable"`
	ReplicationTargetCapable   bool                `json:"replicationTargetCapable"`
	Snapshot                   bool                `json:"snapshot"`
	Mirror                     bool                `json:"mirror"`
	Independent                bool                `json:"independent"`
	Primary                    bool                `json:"primary"`
	InstantAccessEnabled       bool                `json:"instantAccessEnabled"`
	ScaleOutEnabled            bool                `json:"scaleOutEnabled"`
	IsCloudSTU                 bool                `json:"isCloudSTU"`
	FreeCapacityBytes          *int64              `json:"freeCapacityBytes,omitempty"`
	TotalCapacityBytes         *int64              `json:"totalCapacityBytes,omitempty"`
	UsedCapacityBytes          *int64              `json:"usedCapacityBytes,omitempty"`
	MediaServerDetails         []mediaServerDetail `json:"mediaServerDetails,omitempty"`
	MaxFragmentSizeMegabytes   int64               `json:"maxFragmentSizeMegabytes"`
	MaxConcurrentJobs          *int64              `json:"maxConcurrentJobs,omitempty"`
	MaxConcurrentDrives        *int64              `json:"maxConcurrentDrives,omitempty"`
	OnDemandOnly               bool                `json:"onDemandOnly"`
	WormCapable                bool                `json:"wormCapable"`
	UseWorm                    bool                `json:"useWorm"`
	RobotType                  string              `json:"robotType,omitempty"`
	Density                    string              `json:"density,omitempty"`
	Multiplexing               int64               `json:"multiplexing,omitempty"`
}

func (s *Server) renderStorageUnit(base string, u *StorageUnit) storageUnitResource {
	var r storageUnitResource
	r.Links.Self.Href = base + "/storage/storage-units/" + url.PathEscape(u.Name)
	r.Type = "storageUnit"
	r.ID = u.Name
	a := storageUnitAttributes{
		Name:                       u.Name,
		StorageType:                u.StorageType,
		StorageSubType:             u.StorageSubType,
		StorageServerType:          u.StorageServerType,
		StorageCategory:            u.StorageCategory,
		UseAnyAvailableMediaServer: u.MediaServer == "",
		Accelerator:                u.Accelerator,
		ReplicationCapable:         u.ReplicationCapable,
		ReplicationSourceCapable:   u.ReplicationCapable,
		ReplicationTargetCapable:   u.ReplicationCapable,
		InstantAccessEnabled:       u.InstantAccessEnabled,
		IsCloudSTU:                 u.IsCloudSTU,
		MaxFragmentSizeMegabytes:   u.MaxFragmentSizeMegabytes,
		WormCapable:                u.WormCapable,
		UseWorm:                    u.UseWorm,
	}
	if u.FreeCapacityBytes != 0 || u.TotalCapacityBytes != 0 || u.UsedCapacityBytes != 0 {
		free, total, used := u.FreeCapacityBytes, u.TotalCapacityBytes, u.UsedCapacityBytes
		a.FreeCapacityBytes, a.TotalCapacityBytes, a.UsedCapacityBytes = &free, &total, &used
	}
	if u.StorageCategory == "TAPE" {
		drives := u.MaxConcurrentDrives
		a.MaxConcurrentDrives = &drives
		a.RobotType, a.Density, a.Multiplexing = "TLD", "DHCART", 1
	} else {
		jobs := u.MaxConcurrentJobs
		a.MaxConcurrentJobs = &jobs
	}
	if u.MediaServer != "" {
		a.MediaServerDetails = []mediaServerDetail{{Name: u.MediaServer, OperatingSystem: "Linux", NetbackupVersion: s.nbuVersion()}}
	}
	r.Attributes = a
	if u.DiskPoolName != "" {
		dp := &struct {
			Links relatedLink     `json:"links"`
			Data  relationshipRef `json:"data"`
		}{}
		dp.Links.Related.Href = base + "/storage/disk-pools/" + url.PathEscape(u.DiskPoolName)
		dp.Data = relationshipRef{Type: "diskPool", ID: u.DiskPoolName}
		r.Relationships.DiskPool = dp
	}
	return r
}

func (s *Server) handleStorageUnits(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.parseOffsetRequest(w, rc, q, maxOffsetLimit)
	if !ok {
		return
	}
	f, err := parseFilter(q.Get("filter"), storageUnitFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter.", err.Error())
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := filtered(s.units, f, or, func(u *StorageUnit) string { return u.Name })
	s.mu.RUnlock()
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/storage/storage-units", q, func(u *StorageUnit) storageUnitResource {
		return s.renderStorageUnit(base, u)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

type diskPoolResource struct {
	Links struct {
		Self href `json:"self"`
	} `json:"links"`
	Type          string             `json:"type"`
	ID            string             `json:"id"`
	Attributes    diskPoolAttributes `json:"attributes"`
	Relationships struct {
		StorageServers *struct {
			Links relatedLink       `json:"links"`
			Data  []relationshipRef `json:"data"`
		} `json:"storageServers,omitempty"`
	} `json:"relationships"`
}

type diskVolume struct {
	Name                   string   `json:"name"`
	ID                     string   `json:"id"`
	DiskMediaID            string   `json:"diskMediaId"`
	State                  string   `json:"state"`
	RawSizeBytes           int64    `json:"rawSizeBytes"`
	FreeSizeBytes          int64    `json:"freeSizeBytes"`
	IsReplicationSource    bool     `json:"isReplicationSource"`
	IsReplicationTarget    bool     `json:"isReplicationTarget"`
	DiskVolumeCapabilities []string `json:"diskVolumeCapabilities"`
}

type diskPoolAttributes struct {
	Name             string       `json:"name"`
	SType            string       `json:"sType"`
	StorageCategory  string       `json:"storageCategory"`
	DiskVolumes      []diskVolume `json:"diskVolumes"`
	HighWaterMark    int64        `json:"highWaterMark"`
	LowWaterMark     int64        `json:"lowWaterMark"`
	MaximumIoStreams struct {
		LimitIoStreams bool `json:"limitIoStreams"`
	} `json:"maximumIoStreams"`
	DiskPoolState        string   `json:"diskPoolState"`
	RawSizeBytes         int64    `json:"rawSizeBytes"`
	UsableSizeBytes      int64    `json:"usableSizeBytes"`
	AvailableSpaceBytes  int64    `json:"availableSpaceBytes"`
	UsedCapacityBytes    int64    `json:"usedCapacityBytes"`
	WormCapable          bool     `json:"wormCapable"`
	ReadOnly             bool     `json:"readOnly"`
	Comment              string   `json:"comment"`
	DiskPoolCapabilities []string `json:"diskPoolCapabilities"`
	MediaServersCount    int64    `json:"mediaServersCount"`
}

func renderDiskPool(base string, p *DiskPool) diskPoolResource {
	var r diskPoolResource
	r.Links.Self.Href = base + "/storage/disk-pools/" + url.PathEscape(p.Name)
	r.Type = "diskPool"
	r.ID = p.Name
	volCaps := []string{}
	poolCaps := []string{"VISIBLE", "ADMIN_UP", "INTERNAL_UP", "SPAN_IMAGES", "CAPACITY_MANAGEMENT", "OPTIMIZED_IMAGE"}
	if p.WormCapable {
		volCaps = append(volCaps, "WORM_INDELIBLE")
	}
	r.Attributes = diskPoolAttributes{
		Name:                 p.Name,
		SType:                p.SType,
		StorageCategory:      p.StorageCategory,
		DiskVolumes:          renderDiskVolumes(p, volCaps),
		HighWaterMark:        p.HighWaterMark,
		LowWaterMark:         p.LowWaterMark,
		DiskPoolState:        p.DiskPoolState,
		RawSizeBytes:         p.RawSizeBytes,
		UsableSizeBytes:      p.UsableSizeBytes,
		AvailableSpaceBytes:  p.AvailableSpaceBytes,
		UsedCapacityBytes:    p.UsedCapacityBytes,
		WormCapable:          p.WormCapable,
		ReadOnly:             p.ReadOnly,
		DiskPoolCapabilities: poolCaps,
		MediaServersCount:    1,
	}
	if p.StorageServer != "" {
		ss := &struct {
			Links relatedLink       `json:"links"`
			Data  []relationshipRef `json:"data"`
		}{}
		id := p.SType + ":" + p.StorageServer
		ss.Links.Related.Href = base + "/storage/storage-servers/" + url.PathEscape(id)
		ss.Data = []relationshipRef{{Type: "storageServer", ID: id}}
		r.Relationships.StorageServers = ss
	}
	return r
}

func (s *Server) handleDiskPools(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.parseOffsetRequest(w, rc, q, maxOffsetLimit)
	if !ok {
		return
	}
	f, err := parseFilter(q.Get("filter"), diskPoolFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter.", err.Error())
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := filtered(s.pools, f, or, func(p *DiskPool) string { return p.Name })
	s.mu.RUnlock()
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/storage/disk-pools", q, func(p *DiskPool) diskPoolResource {
		return renderDiskPool(base, p)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// handleDiskPool serves GET /storage/disk-pools/{diskPoolId} (the fake's pool ids are their names).
func (s *Server) handleDiskPool(w http.ResponseWriter, r *http.Request, rc *reqCtx, id string) {
	s.mu.RLock()
	i := slices.IndexFunc(s.pools, func(p DiskPool) bool { return p.Name == id })
	var p DiskPool
	if i >= 0 {
		p = s.pools[i]
	}
	s.mu.RUnlock()
	if i < 0 {
		s.writeError(w, rc, http.StatusNotFound, "A disk pool with the specified ID was not found.", "no disk pool "+strconv.Quote(id))
		return
	}
	s.writeJSON(w, rc, http.StatusOK, struct {
		Data diskPoolResource `json:"data"`
	}{renderDiskPool(baseURL(r), &p)})
}

func renderDiskVolumes(p *DiskPool, caps []string) []diskVolume {
	vols := p.ServedVolumes()
	out := make([]diskVolume, 0, len(vols))
	for i, v := range vols {
		out = append(out, diskVolume{
			Name:                   v.Name,
			ID:                     p.SType + ":" + v.Name,
			DiskMediaID:            "@aaaa" + string(rune('b'+i%24)),
			State:                  v.State,
			RawSizeBytes:           v.RawSizeBytes,
			FreeSizeBytes:          v.FreeSizeBytes,
			DiskVolumeCapabilities: caps,
		})
	}
	return out
}
