package nbu

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/go-kit/log/level"
)

const maxOffsetPageSize = 500

// offsetMeta is meta of an offset-paged list. Documented as integers; read
// leniently, and next keeps "absent" apart from 0.
type offsetMeta struct {
	Pagination struct {
		Count lInt   `json:"count"`
		Next  optInt `json:"next"`
	} `json:"pagination"`
}

// offsetWalk fetches every page of an offset-paged endpoint, streaming the
// records of each page into sink (sink.meta is set here).
func (c *Client) offsetWalk(ctx context.Context, endpoint string, pageSize int, sink *recordSink) error {
	limit := pageSize
	if limit <= 0 || limit > maxOffsetPageSize {
		limit = maxOffsetPageSize
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
	offset := int64(0)
	for pages := 1; ; pages++ {
		vals := url.Values{
			"page[offset]": {strconv.FormatInt(offset, 10)},
			"page[limit]":  {strconv.Itoa(limit)},
		}
		meta, onPage = offsetMeta{}, 0
		if err := c.call(withPage(ctx, pages), endpoint, vals, func(r io.Reader) error { return walkPage(r, &page) }); err != nil {
			return err
		}
		next, count := meta.Pagination.Next, int64(meta.Pagination.Count)
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
		}
		offset = next.v
	}
}
