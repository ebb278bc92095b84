package nbu

import "context"

const (
	storageUnitsEndpoint = "/storage/storage-units"
	diskPoolsEndpoint    = "/storage/disk-pools"
)

// StorageUnit is one /storage/storage-units record.
type StorageUnit struct {
	Name, StorageType, StorageSubType, StorageServerType, StorageCategory                   string
	FreeCapacityBytes, TotalCapacityBytes, UsedCapacityBytes                                int64
	MaxConcurrentJobs, MaxFragmentSizeMegabytes                                             int64
	IsCloudSTU, WormCapable, UseWorm, ReplicationCapable, InstantAccessEnabled, Accelerator bool
	// MaxConcurrentDrives is what tape units carry instead of MaxConcurrentJobs
	// (the two are a oneOf in the spec).
	MaxConcurrentDrives int64
}

// DiskPool is one /storage/disk-pools record.
type DiskPool struct {
	Name, SType, StorageCategory, DiskPoolState                           string
	RawSizeBytes, UsableSizeBytes, AvailableSpaceBytes, UsedCapacityBytes int64
	HighWaterMark, LowWaterMark                                           int64
	// ID is data[].id, the pool's unique identifier (the name is not unique
	// across storage servers).
	ID string
	// DiskVolumes are attributes.diskVolumes: a pool can be UP while one of
	// its volumes is DOWN.
	DiskVolumes []DiskVolume
}

// DiskVolume is one element of a disk pool's diskVolumes.
type DiskVolume struct {
	Name, ID, DiskMediaID, State string // State: UP, DOWN, UNKNOWN (unknown values kept)
	RawSizeBytes, FreeSizeBytes  int64
}

type storageUnitAttrs struct {
	Name                     lString `json:"name"`
	StorageType              lString `json:"storageType"`
	StorageSubType           lString `json:"storageSubType"`
	StorageServerType        lString `json:"storageServerType"`
	StorageCategory          lEnum   `json:"storageCategory"`
	FreeCapacityBytes        lInt    `json:"freeCapacityBytes"`
	TotalCapacityBytes       lInt    `json:"totalCapacityBytes"`
	UsedCapacityBytes        lInt    `json:"usedCapacityBytes"`
	MaxConcurrentJobs        lInt    `json:"maxConcurrentJobs"`
	MaxConcurrentDrives      lInt    `json:"maxConcurrentDrives"`
	MaxFragmentSizeMegabytes lInt    `json:"maxFragmentSizeMegabytes"`
	IsCloudSTU               lBool   `json:"isCloudSTU"`
	WormCapable              lBool   `json:"wormCapable"`
	UseWorm                  lBool   `json:"useWorm"`
	ReplicationCapable       lBool   `json:"replicationCapable"`
	InstantAccessEnabled     lBool   `json:"instantAccessEnabled"`
	Accelerator              lBool   `json:"accelerator"`
}

type diskPoolAttrs struct {
	Name                lString `json:"name"`
	SType               lString `json:"sType"`
	StorageCategory     lEnum   `json:"storageCategory"`
	DiskPoolState       lEnum   `json:"diskPoolState"`
	RawSizeBytes        lInt    `json:"rawSizeBytes"`
	UsableSizeBytes     lInt    `json:"usableSizeBytes"`
	AvailableSpaceBytes lInt    `json:"availableSpaceBytes"`
	UsedCapacityBytes   lInt    `json:"usedCapacityBytes"`
	HighWaterMark       lInt    `json:"highWaterMark"`
	LowWaterMark        lInt    `json:"lowWaterMark"`

	DiskVolumes lObjects[diskVolumeAttrs] `json:"diskVolumes"`
}

type diskVolumeAttrs struct {
	Name          lString `json:"name"`
	ID            lString `json:"id"`
	DiskMediaID   lString `json:"diskMediaId"`
	State         lEnum   `json:"state"`
	RawSizeBytes  lInt    `json:"rawSizeBytes"`
	FreeSizeBytes lInt    `json:"freeSizeBytes"`
}

// StorageUnits fetches every page of GET /storage/storage-units (offset
// paging, page[limit] = pageSize, 0 = 500).
func (c *Client) StorageUnits(ctx context.Context, pageSize int) ([]StorageUnit, error) {
	var out []StorageUnit
	var id lString
	var a storageUnitAttrs
	err := c.offsetWalk(ctx, storageUnitsEndpoint, pageSize, maxOffsetPageSize, &recordSink{
		id:    &id,
		attrs: &a,
		reset: func() { id, a = "", storageUnitAttrs{} },
		emit: func() error {
			out = append(out, a.toStorageUnit(string(id)))
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DiskPools fetches every page of GET /storage/disk-pools (offset paging,
// page[limit] = pageSize, 0 = 500).
func (c *Client) DiskPools(ctx context.Context, pageSize int) ([]DiskPool, error) {
	var out []DiskPool
	var id lString
	var a diskPoolAttrs
	err := c.offsetWalk(ctx, diskPoolsEndpoint, pageSize, maxOffsetPageSize, &recordSink{
		id:    &id,
		attrs: &a,
		reset: func() { id, a = "", diskPoolAttrs{} },
		emit: func() error {
			out = append(out, a.toDiskPool(string(id)))
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (a *storageUnitAttrs) toStorageUnit(id string) StorageUnit {
	name := string(a.Name)
	if name == "" {
		name = id // data[].id is the storage unit name
	}
	return StorageUnit{
		Name:                     name,
		StorageType:              string(a.StorageType),
		StorageSubType:           string(a.StorageSubType),
		StorageServerType:        string(a.StorageServerType),
		StorageCategory:          string(a.StorageCategory),
		FreeCapacityBytes:        int64(a.FreeCapacityBytes),
		TotalCapacityBytes:       int64(a.TotalCapacityBytes),
		UsedCapacityBytes:        int64(a.UsedCapacityBytes),
		MaxConcurrentJobs:        int64(a.MaxConcurrentJobs),
		MaxConcurrentDrives:      int64(a.MaxConcurrentDrives),
		MaxFragmentSizeMegabytes: int64(a.MaxFragmentSizeMegabytes),
		IsCloudSTU:               bool(a.IsCloudSTU),
		WormCapable:              bool(a.WormCapable),
		UseWorm:                  bool(a.UseWorm),
		ReplicationCapable:       bool(a.ReplicationCapable),
		InstantAccessEnabled:     bool(a.InstantAccessEnabled),
		Accelerator:              bool(a.Accelerator),
	}
}

func (a *diskPoolAttrs) toDiskPool(id string) DiskPool {
	var vols []DiskVolume
	for _, v := range a.DiskVolumes {
		vols = append(vols, DiskVolume{
			Name:          string(v.Name),
			ID:            string(v.ID),
			DiskMediaID:   string(v.DiskMediaID),
			State:         string(v.State),
			RawSizeBytes:  int64(v.RawSizeBytes),
			FreeSizeBytes: int64(v.FreeSizeBytes),
		})
	}
	return DiskPool{
		DiskVolumes:         vols,
		ID:                  id,
		Name:                string(a.Name),
		SType:               string(a.SType),
		StorageCategory:     string(a.StorageCategory),
		DiskPoolState:       string(a.DiskPoolState),
		RawSizeBytes:        int64(a.RawSizeBytes),
		UsableSizeBytes:     int64(a.UsableSizeBytes),
		AvailableSpaceBytes: int64(a.AvailableSpaceBytes),
		UsedCapacityBytes:   int64(a.UsedCapacityBytes),
		HighWaterMark:       int64(a.HighWaterMark),
		LowWaterMark:        int64(a.LowWaterMark),
	}
}
