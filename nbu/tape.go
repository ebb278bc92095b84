package nbu

import (
	"cmp"
	"context"
	"errors"
	"io"
	"strings"
)

const (
	tapeMediaEndpoint         = "/storage/tape-media"
	tapeVolumePoolsEndpoint   = "/storage/tape-volume-pools"
	robotsDeviceHostsEndpoint = "/storage/robots-device-hosts"
)

// TapeMedium is one /storage/tape-media record (API 12.0 and later). Enum values are in the
// spec's spelling (MediaTypes, RobotTypes), others as sent.
type TapeMedium struct {
	ID        string // data[].id, the media id (at most 6 characters)
	Barcode   string
	MediaType string // HCART, HC_CLN, DLT2, ...
	// RobotType and RobotNumber are attributes.robot's, or the same fields flat on the record
	// where a server sends them there; "" when sent in neither place.
	RobotType   string // NA, NOT_ROBOTIC, ACS, TLD
	RobotNumber string
	RobotHost   string
	VolumeGroup string
	VolumePool  string
	// MediaStatus is as sent: one or more of FROZEN, SUSPENDED, FULL,
	// MULTIPLE_RETENTION_LEVELS, IMPORTED, ACTIVE, MULTIPLEXED, WORM, BE,
	// blank-separated ("ACTIVE MULTIPLEXED"); see StatusFlags.
	MediaStatus string
	KiloBytes   Known[int64]
	Images      Known[int64]
	ValidImages Known[int64]
}

// StatusFlags splits MediaStatus into its flags (blank or comma separated) in the spec's spelling
// (MediaStatusFlags), so that "ACTIVE MULTIPLEXED" counts as ACTIVE and as MULTIPLEXED.
func (m *TapeMedium) StatusFlags() []string {
	flags := strings.FieldsFunc(m.MediaStatus, func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '|'
	})
	for i, f := range flags {
		flags[i] = MediaStatusFlags.Normalize(f)
	}
	return flags
}

type tapeRobotAttrs struct {
	RobotType   lEnum   `json:"robotType"`
	RobotNumber lString `json:"robotNumber"`
	RobotHost   lString `json:"robotHost"`
}

type tapeMediumAttrs struct {
	Barcode     lString        `json:"barcode"`
	MediaType   lEnum          `json:"mediaType"`
	Robot       tapeRobotAttrs `json:"robot"`
	RobotType   lEnum          `json:"robotType"`   // flat, as some servers send it
	RobotNumber lString        `json:"robotNumber"` // flat, as some servers send it
	VolumeGroup lString        `json:"volumeGroup"`
	VolumePool  lString        `json:"volumePool"`
	MediaStatus lEnum          `json:"mediaStatus"`
	KiloBytes   optInt         `json:"kiloBytes"`
	Images      optInt         `json:"images"`
	ValidImages optInt         `json:"validImages"`
}

func (a *tapeMediumAttrs) toTapeMedium(m *TapeMedium, id string) {
	*m = TapeMedium{
		ID: id, Barcode: string(a.Barcode), MediaType: MediaTypes.Normalize(string(a.MediaType)),
		RobotType:   RobotTypes.Normalize(string(cmp.Or(a.Robot.RobotType, a.RobotType))),
		RobotNumber: string(cmp.Or(a.Robot.RobotNumber, a.RobotNumber)),
		RobotHost:   string(a.Robot.RobotHost), VolumeGroup: string(a.VolumeGroup),
		VolumePool: string(a.VolumePool), MediaStatus: string(a.MediaStatus),
		KiloBytes: a.KiloBytes.known(), Images: a.Images.known(), ValidImages: a.ValidImages.known(),
	}
}

// TapeMedia walks every page of GET /storage/tape-media (cursor paging,
// page[limit] = pageSize, 0 = 100) and calls fn for each medium, so that a
// library of many thousand tapes is never held in memory. The *TapeMedium is
// reused after fn returns. fn runs while a request slot is held (see Jobs).
func (c *Client) TapeMedia(ctx context.Context, pageSize int, fn func(*TapeMedium) error) (PageStats, error) {
	var stats PageStats
	if fn == nil {
		return stats, errors.New("nbu: TapeMedia called with a nil callback")
	}
	var (
		m  TapeMedium
		id lString
		a  tapeMediumAttrs
	)
	sink := &recordSink{
		id:    &id,
		attrs: &a,
		reset: func() { id, a = "", tapeMediumAttrs{} },
		emit: func() error {
			a.toTapeMedium(&m, string(id))
			return fn(&m)
		},
	}
	err := c.cursorWalk(ctx, cursorQuery{endpoint: tapeMediaEndpoint, limit: cursorLimit(pageSize),
		what: "tape media callback"}, sink, &stats)
	return stats, err
}

// VolumePool is one /storage/tape-volume-pools record (API 12.0 and later).
type VolumePool struct {
	ID          string // data[].id, the volume pool number
	Name        string // attributes.volumePoolName
	Description string
	// PoolType is REGULAR_MEDIA_POOL, SCRATCH_MEDIA_POOL, CATALOG_MEDIA_POOL or
	// AVAILABLE_MEDIA_POOL whatever the server's spelling ("SCRATCH", "NONE": see PoolTypes).
	PoolType           string
	PartiallyFullMedia Known[int64]
}

type volumePoolAttrs struct {
	VolumePoolName     lString `json:"volumePoolName"`
	Description        lString `json:"description"`
	PoolType           lEnum   `json:"poolType"`
	PartiallyFullMedia optInt  `json:"partiallyFullMedia"`
}

// VolumePools fetches every page of GET /storage/tape-volume-pools (cursor
// paging, page[limit] = pageSize, 0 = 100).
func (c *Client) VolumePools(ctx context.Context, pageSize int) ([]VolumePool, error) {
	var out []VolumePool
	var id lString
	var a volumePoolAttrs
	sink := &recordSink{
		id:    &id,
		attrs: &a,
		reset: func() { id, a = "", volumePoolAttrs{} },
		emit: func() error {
			p := VolumePool{ID: string(id), Name: string(a.VolumePoolName), Description: string(a.Description),
				PoolType: PoolTypes.Normalize(string(a.PoolType)), PartiallyFullMedia: a.PartiallyFullMedia.known()}
			if p.Name == "" {
				p.Name = p.ID
			}
			out = append(out, p)
			return nil
		},
	}
	var stats PageStats
	err := c.cursorWalk(ctx, cursorQuery{endpoint: tapeVolumePoolsEndpoint, limit: cursorLimit(pageSize),
		what: "volume pools"}, sink, &stats)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RobotDeviceHosts returns the device hosts of the configured robots, from
// GET /storage/robots-device-hosts (API 12.0 and later; one unpaged list).
func (c *Client) RobotDeviceHosts(ctx context.Context) ([]string, error) {
	var out []string
	var id lString
	var a skipValue
	sink := &recordSink{
		id:    &id,
		attrs: &a,
		reset: func() { id = "" },
		emit: func() error {
			if id != "" {
				out = append(out, string(id))
			}
			return nil
		},
		skip: func(int, string) {},
	}
	err := c.call(ctx, robotsDeviceHostsEndpoint, nil, func(r io.Reader) error { return walkPage(r, sink) })
	if err != nil {
		return nil, err
	}
	return out, nil
}
