package nbu

import (
	"context"
	"fmt"
	"io"
	"strings"
)

const (
	storageUnitsEndpoint   = "/storage/storage-units"
	diskPoolsEndpoint      = "/storage/disk-pools"
	diskPoolDetailEndpoint = "/storage/disk-pools/{diskPoolId}"
)

// StorageUnit is one /storage/storage-units record. The figures and flags a server leaves out
// are not Known; StorageCategory is in the spec's spelling (StorageCategories), other values as
// sent.
type StorageUnit struct {
	Name, StorageType, StorageSubType, StorageServerType, StorageCategory                   string
	FreeCapacityBytes, TotalCapacityBytes, UsedCapacityBytes                                Known[int64]
	MaxConcurrentJobs, MaxFragmentSizeMegabytes                                             Known[int64]
	IsCloudSTU, WormCapable, UseWorm, ReplicationCapable, InstantAccessEnabled, Accelerator Known[bool]
	// MaxConcurrentDrives is what tape units carry instead of MaxConcurrentJobs
	// (the two are a oneOf in the spec).
	MaxConcurrentDrives Known[int64]
}

// DiskPool is one /storage/disk-pools record. NetBackup 10.0 lists pools without their sizes
// (GET /storage/disk-pools/{id} has them): a size not sent is not Known. StorageCategory and
// DiskPoolState are in the spec's spelling.
type DiskPool struct {
	Name, SType, StorageCategory, DiskPoolState                           string
	RawSizeBytes, UsableSizeBytes, AvailableSpaceBytes, UsedCapacityBytes Known[int64]
	HighWaterMark, LowWaterMark                                           Known[int64]
	// ID is data[].id, the pool's unique identifier (the name is not unique
	// across storage servers).
	ID string
	// DiskVolumes are attributes.diskVolumes: a pool can be UP while one of
	// its volumes is DOWN.
	DiskVolumes []DiskVolume
}

// SizesKnown reports whether the record has every size the exporter reports of a pool.
func (p *DiskPool) SizesKnown() bool {
	return p.UsableSizeBytes.OK && p.AvailableSpaceBytes.OK && p.UsedCapacityBytes.OK
}

// DiskVolume is one element of a disk pool's diskVolumes.
type DiskVolume struct {
	Name, ID, DiskMediaID, State string // State: UP, DOWN, UNKNOWN (other values as sent; "" when not sent)
	RawSizeBytes, FreeSizeBytes  Known[int64]
}

type storageUnitAttrs struct {
	Name                     lString `json:"name"`
	StorageType              lString `json:"storageType"`
	StorageSubType           lString `json:"storageSubType"`
	StorageServerType        lString `json:"storageServerType"`
	StorageCategory          lEnum   `json:"storageCategory"`
	FreeCapacityBytes        optInt  `json:"freeCapacityBytes"`
	TotalCapacityBytes       optInt  `json:"totalCapacityBytes"`
	UsedCapacityBytes        optInt  `json:"usedCapacityBytes"`
	MaxConcurrentJobs        optInt  `json:"maxConcurrentJobs"`
	MaxConcurrentDrives      optInt  `json:"maxConcurrentDrives"`
	MaxFragmentSizeMegabytes optInt  `json:"maxFragmentSizeMegabytes"`
	IsCloudSTU               optBool `json:"isCloudSTU"`
	WormCapable              optBool `json:"wormCapable"`
	UseWorm                  optBool `json:"useWorm"`
	ReplicationCapable       optBool `json:"replicationCapable"`
	InstantAccessEnabled     optBool `json:"instantAccessEnabled"`
	Accelerator              optBool `json:"accelerator"`
}

type diskPoolAttrs struct {
	Name                lString `json:"name"`
	SType               lString `json:"sType"`
	StorageCategory     lEnum   `json:"storageCategory"`
	DiskPoolState       lEnum   `json:"diskPoolState"`
	RawSizeBytes        optInt  `json:"rawSizeBytes"`
	UsableSizeBytes     optInt  `json:"usableSizeBytes"`
	AvailableSpaceBytes optInt  `json:"availableSpaceBytes"`
	UsedCapacityBytes   optInt  `json:"usedCapacityBytes"`
	HighWaterMark       optInt  `json:"highWaterMark"`
	LowWaterMark        optInt  `json:"lowWaterMark"`

	DiskVolumes lObjects[diskVolumeAttrs] `json:"diskVolumes"`
}

type diskVolumeAttrs struct {
	Name          lString `json:"name"`
	ID            lString `json:"id"`
	DiskMediaID   lString `json:"diskMediaId"`
	State         lEnum   `json:"state"`
	RawSizeBytes  optInt  `json:"rawSizeBytes"`
	FreeSizeBytes optInt  `json:"freeSizeBytes"`
}

// StorageUnits fetches every page of GET /storage/storage-units (offset
// paging, page[limit] = pageSize, 0 = 500).
func (c *Client) StorageUnits(ctx context.Context, pageSize int) ([]StorageUnit, error) {
	return offsetList(ctx, c, storageUnitsEndpoint, pageSize, maxOffsetPageSize, func(id string, a *storageUnitAttrs) (StorageUnit, bool) {
		return a.toStorageUnit(id), true
	})
}

// DiskPools fetches every page of GET /storage/disk-pools (offset paging,
// page[limit] = pageSize, 0 = 500).
func (c *Client) DiskPools(ctx context.Context, pageSize int) ([]DiskPool, error) {
	return offsetList(ctx, c, diskPoolsEndpoint, pageSize, maxOffsetPageSize, func(id string, a *diskPoolAttrs) (DiskPool, bool) {
		return a.toDiskPool(id), true
	})
}

// offsetList reads every page of an offset-paged list (offsetWalk) into a slice: item makes one
// of each record's id and attributes, ok false to leave the record out. It is here, with its
// first users, so that a storage request's path stays in paging.go, request.go and storage.go.
func offsetList[A, T any](ctx context.Context, c *Client, endpoint string, pageSize, maxLimit int, item func(id string, a *A) (T, bool)) ([]T, error) {
	var (
		out []T
		id  lString
		a   A
	)
	err := c.offsetWalk(ctx, endpoint, pageSize, maxLimit, &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", *new(A) },
		emit: func() error {
			if v, ok := item(string(id), &a); ok {
				out = append(out, v)
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DiskPoolDetail fetches GET /storage/disk-pools/{diskPoolId}: the record of one pool, with the
// sizes NetBackup 10.0 leaves out of the list.
func (c *Client) DiskPoolDetail(ctx context.Context, id string) (DiskPool, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/?#") {
		return DiskPool{}, fmt.Errorf("nbu: disk pool id %q cannot be put in a path", id)
	}
	var (
		rid  lString
		a    diskPoolAttrs
		pool DiskPool
		got  bool
	)
	sink := &recordSink{id: &rid, attrs: &a,
		reset: func() { rid, a = "", diskPoolAttrs{} },
		emit: func() error {
			if !got { // the pool is one object; a server sending a list of them means its first
				pool, got = a.toDiskPool(id), true
			}
			return nil
		},
		skip: func(int, string) {},
	}
	err := c.callPath(ctx, diskPoolDetailEndpoint, diskPoolsEndpoint+"/"+id, nil, func(r io.Reader) error { return walkPage(r, sink) })
	if err != nil {
		return DiskPool{}, err
	}
	if !got {
		return DiskPool{}, fmt.Errorf("GET %s: the answer holds no disk pool", diskPoolDetailEndpoint)
	}
	return pool, nil
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
		StorageCategory:          StorageCategories.Normalize(string(a.StorageCategory)),
		FreeCapacityBytes:        a.FreeCapacityBytes.known(),
		TotalCapacityBytes:       a.TotalCapacityBytes.known(),
		UsedCapacityBytes:        a.UsedCapacityBytes.known(),
		MaxConcurrentJobs:        a.MaxConcurrentJobs.known(),
		MaxConcurrentDrives:      a.MaxConcurrentDrives.known(),
		MaxFragmentSizeMegabytes: a.MaxFragmentSizeMegabytes.known(),
		IsCloudSTU:               a.IsCloudSTU.known(),
		WormCapable:              a.WormCapable.known(),
		UseWorm:                  a.UseWorm.known(),
		ReplicationCapable:       a.ReplicationCapable.known(),
		InstantAccessEnabled:     a.InstantAccessEnabled.known(),
		Accelerator:              a.Accelerator.known(),
	}
}

func (a *diskPoolAttrs) toDiskPool(id string) DiskPool {
	var vols []DiskVolume
	for _, v := range a.DiskVolumes {
		vols = append(vols, DiskVolume{
			Name:          string(v.Name),
			ID:            string(v.ID),
			DiskMediaID:   string(v.DiskMediaID),
			State:         DiskVolumeStates.Normalize(string(v.State)),
			RawSizeBytes:  v.RawSizeBytes.known(),
			FreeSizeBytes: v.FreeSizeBytes.known(),
		})
	}
	return DiskPool{
		DiskVolumes:         vols,
		ID:                  id,
		Name:                string(a.Name),
		SType:               string(a.SType),
		StorageCategory:     StorageCategories.Normalize(string(a.StorageCategory)),
		DiskPoolState:       DiskPoolStates.Normalize(string(a.DiskPoolState)),
		RawSizeBytes:        a.RawSizeBytes.known(),
		UsableSizeBytes:     a.UsableSizeBytes.known(),
		AvailableSpaceBytes: a.AvailableSpaceBytes.known(),
		UsedCapacityBytes:   a.UsedCapacityBytes.known(),
		HighWaterMark:       a.HighWaterMark.known(),
		LowWaterMark:        a.LowWaterMark.known(),
	}
}
