package nbu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"
)

const (
	catalogImagesEndpoint = "/catalog/images"
	slpImagesEndpoint     = "/catalog/slp-images"
	maxSLPPageSize        = 1000
)

// ErrNoCount is wrapped when a list answer carries no meta.pagination.count to count with.
var ErrNoCount = errors.New("netbackup: response has no meta.pagination.count")

// CatalogImageCount returns how many /catalog/images match filter (OData, unencoded), from
// meta.pagination.count of a one-record page: the spec gives the total there, so a count costs
// one small request whatever the number of images. NetBackup applies a default backupTime window
// of the last 24 hours unless filter sets backupTime itself. A page without a count and without
// a record (as primaries answer when nothing matches) is a count of 0; a page with records but no
// count says nothing of how many there are: ErrNoCount.
func (c *Client) CatalogImageCount(ctx context.Context, filter string) (int64, error) {
	var meta struct {
		Pagination struct {
			Count optInt `json:"count"`
		} `json:"pagination"`
	}
	var id lString
	records := 0
	sink := &recordSink{id: &id, attrs: &skipValue{}, meta: &meta,
		reset: func() { id = "" }, emit: func() error { records++; return nil }, skip: func(int, string) { records++ }}
	q := url.Values{"page[limit]": {"1"}, "page[offset]": {"0"}}
	if filter != "" {
		q.Set("filter", filter)
	}
	if err := c.call(ctx, catalogImagesEndpoint, q, func(r io.Reader) error { return walkPage(r, sink) }); err != nil {
		return 0, err
	}
	switch {
	case !meta.Pagination.Count.set && records == 0:
		return 0, nil
	case !meta.Pagination.Count.set:
		return 0, fmt.Errorf("GET %s: %w", catalogImagesEndpoint, ErrNoCount)
	}
	return max(meta.Pagination.Count.v, 0), nil
}

// SLPImage is one /catalog/slp-images record.
type SLPImage struct {
	BackupID, ClientName, PolicyName, SLPName string
	State                                     string // slpImageState as sent: NOT_STARTED, IN_PROCESS, "IN_PROCESS|INACTIVE"...
	BackupTime                                time.Time
	// SizeBytes is the sum of fragmentSize over the fragments of the image's largest copy; the
	// spec gives no other size for an SLP image. Not known when no fragment had one.
	SizeBytes Known[int64]
}

type slpImageAttrs struct {
	BackupID      lString `json:"backupId"`
	ClientName    lString `json:"clientName"`
	PolicyName    lString `json:"policyName"`
	SLPName       lString `json:"slpName"`
	SLPImageState lString `json:"slpImageState"`
	BackupTime    lTime   `json:"backupTime"`
	Copies        []struct {
		Fragments []struct {
			FragmentSize *lInt `json:"fragmentSize"`
		} `json:"fragments"`
	} `json:"copies"`
}

// SLPImages walks every page of GET /catalog/slp-images (cursor paging, page[limit] up to 1000)
// matching filter and calls fn for each image; the *SLPImage is reused after fn returns.
func (c *Client) SLPImages(ctx context.Context, filter string, pageSize int, fn func(*SLPImage) error) (PageStats, error) {
	if fn == nil {
		return PageStats{}, errors.New("nbu: SLPImages called with a nil callback")
	}
	var (
		id  lString
		a   slpImageAttrs
		img SLPImage
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", slpImageAttrs{} },
		emit: func() error {
			a.toSLPImage(&img, string(id))
			return fn(&img)
		},
	}
	params := url.Values{}
	if filter != "" {
		params.Set("filter", filter)
	}
	limit := pageSize
	if limit <= 0 || limit > maxSLPPageSize {
		limit = maxSLPPageSize
	}
	var stats PageStats
	err := c.cursorWalk(ctx, cursorQuery{endpoint: slpImagesEndpoint, params: params, limit: limit, what: "SLP images callback"}, sink, &stats)
	return stats, err
}

func (a *slpImageAttrs) toSLPImage(img *SLPImage, id string) {
	*img = SLPImage{
		BackupID:   string(a.BackupID),
		ClientName: string(a.ClientName),
		PolicyName: string(a.PolicyName),
		SLPName:    string(a.SLPName),
		State:      string(a.SLPImageState),
		BackupTime: time.Time(a.BackupTime),
	}
	if img.BackupID == "" {
		img.BackupID = id
	}
	for _, cp := range a.Copies {
		var sum int64
		for _, f := range cp.Fragments {
			if f.FragmentSize != nil && *f.FragmentSize > 0 {
				sum += int64(*f.FragmentSize)
				img.SizeBytes.OK = true
			}
		}
		img.SizeBytes.V = max(img.SizeBytes.V, sum)
	}
}
