package nbu

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/go-kit/log/level"
)

// maxOffsetPageSize is the page[limit] maximum of most offset-paged lists
// (storage units, disk pools, media servers); /storage/drives allows 100.
const (
	maxOffsetPageSize = 500
	maxDrivesPageSize = 100
)

// offsetMeta is meta of an offset-paged list. Documented as integers; read
// leniently, and next keeps "absent" apart from 0.
type offsetMeta struct {
	Pagination struct {
		Count lInt   `json:"count"`
		Next  optInt `json:"next"`
	} `json:"pagination"`
}

// offsetWalk fetches every page of an offset-paged endpoint, streaming the
// records of each page into sink (sink.meta is set here). pageSize 0 or above
// maxLimit, the endpoint's documented maximum, asks for maxLimit.
func (c *Client) offsetWalk(ctx context.Context, endpoint string, pageSize, maxLimit int, sink *recordSink) error {
	return c.offsetWalkQuery(ctx, endpoint, nil, pageSize, maxLimit, sink)
}

// offsetWalkQuery is offsetWalk with extra query parameters (filter, sort) sent on every page
// (the spec's page[limit] maximum differs per endpoint: 500 for storage and policies, 100 for
// drives, catalog images and malware scan results).
func (c *Client) offsetWalkQuery(ctx context.Context, endpoint string, extra url.Values, pageSize, maxLimit int, sink *recordSink) error {
	limit := pageSize
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	logger := loggerFrom(ctx)
	var (
		meta    offsetMeta
		onPage  int
		skipped int
	)
	emit, skip := sink.emit, sink.skip
	page := *sink
	page.meta = &meta
	page.emit = func() error { onPage++; return emit() }
	page.skip = func(i int, kind string) {
		onPage++
		skipped++
		level.Debug(logger).Log("msg", "skipping undecodable record", "endpoint", endpoint, "index", i, "kind", kind)
		if skip != nil {
			skip(i, kind)
		}
	}
	offset, maxPages := int64(0), c.pageLimits.offsetPages
	for pages := 1; ; pages++ {
		vals := url.Values{
			"page[offset]": {strconv.FormatInt(offset, 10)},
			"page[limit]":  {strconv.Itoa(limit)},
		}
		for k, v := range extra {
			if len(v) > 0 && v[0] != "" {
				vals[k] = v
			}
		}
		meta, onPage = offsetMeta{}, 0
		if err := c.call(ctx, endpoint, vals, func(r io.Reader) error { return walkPage(r, &page) }); err != nil {
			return err
		}
		next, count := meta.Pagination.Next, int64(meta.Pagination.Count)
		if pages == 1 {
			maxPages = offsetPageLimit(count, max(onPage, 1), c.pageLimits.offsetPages)
		}
		switch {
		case !next.set || next.v == 0:
			// Last page: next absent (as documented) or 0, which can never advance.
			return nil
		case onPage == 0:
			// An empty page with a "next" would otherwise be followed forever.
			return nil
		case next.v <= offset:
			return fmt.Errorf("GET %s: page %d at offset %d points to next offset %d, which does not advance; stopping to avoid a loop",
				endpoint, pages, offset, next.v)
		case count > 0 && next.v >= count:
			return nil
		case pages >= maxPages:
			return fmt.Errorf("GET %s: still paging after %d pages (the server reported %d records); stopping", endpoint, pages, count)
		}
		offset = next.v
	}
}
