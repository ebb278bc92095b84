package nbu

import (
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

// TapeMedium is one /storage/tape-media record (API 12.0 and later).
type TapeMedium struct {
	ID          string // data[].id, the media id (at most 6 characters)
	Barcode     string
	MediaType   string // HCART, HC_CLN, DLT2, ...
	RobotType   string // attributes.robot.robotType: NA, NOT_ROBOTIC, ACS, TLD
	RobotNumber string // attributes.robot.robotNumber; "" when not sent
	RobotHost   string
	VolumeGroup string
	VolumePool  string
	// MediaStatus is as sent: one or more of FROZEN, SUSPENDED, FULL,
	// MULTIPLE_RETENTION_LEVELS, IMPORTED, ACTIVE, MULTIPLEXED, WORM, BE,
	// blank-separated ("ACTIVE MULTIPLEXED"); see StatusFlags.
	MediaStatus string
	KiloBytes   int64
	Images      int64
	ValidImages int64
}

// StatusFlags splits MediaStatus into its flags (blank or comma separated,
// upper-cased), so that "ACTIVE MULTIPLEXED" counts as ACTIVE and as MULTIPLEXED.
func (m *TapeMedium) StatusFlags() []string {
	return strings.FieldsFunc(strings.ToUpper(m.MediaStatus), func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '|'
	})
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
	VolumeGroup lString        `json:"volumeGroup"`
	VolumePool  lString        `json:"volumePool"`
	MediaStatus lEnum          `json:"mediaStatus"`
	KiloBytes   lInt           `json:"kiloBytes"`
	Images      lInt           `json:"images"`
	ValidImages lInt           `json:"validImages"`
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
			m = TapeMedium{
				ID: string(id), Barcode: string(a.Barcode), MediaType: string(a.MediaType),
				RobotType: string(a.Robot.RobotType), RobotNumber: string(a.Robot.RobotNumber),
				RobotHost: string(a.Robot.RobotHost), VolumeGroup: string(a.VolumeGroup),
				VolumePool: string(a.VolumePool), MediaStatus: string(a.MediaStatus),
				KiloBytes: int64(a.KiloBytes), Images: int64(a.Images), ValidImages: int64(a.ValidImages),
			}
			return fn(&m)
		},
	}
	err := c.cursorWalk(ctx, cursorQuery{endpoint: tapeMediaEndpoint, limit: cursorLimit(pageSize),
		what: "tape media callback"}, sink, &stats)
	return stats, err
}

// VolumePool is one /storage/tape-volume-pools record (API 12.0 and later).
type VolumePool struct {
	ID                 string // data[].id, the volume pool number
	Name               string // attributes.volumePoolName
	Description        string
	PoolType           string // REGULAR_MEDIA_POOL, SCRATCH_MEDIA_POOL, CATALOG_MEDIA_POOL, AVAILABLE_MEDIA_POOL
	PartiallyFullMedia int64
}

type volumePoolAttrs struct {
	VolumePoolName     lString `json:"volumePoolName"`
	Description        lString `json:"description"`
	PoolType           lEnum   `json:"poolType"`
	PartiallyFullMedia lInt    `json:"partiallyFullMedia"`
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
				PoolType: string(a.PoolType), PartiallyFullMedia: int64(a.PartiallyFullMedia)}
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
