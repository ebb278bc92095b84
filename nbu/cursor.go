package nbu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/go-kit/log/level"
)

// maxCursorPageSize is the page[limit] maximum of every cursor-paged list the
// client reads (/admin/jobs, /storage/tape-media, /storage/tape-volume-pools).
const maxCursorPageSize = 100

// cursorMeta is meta of a cursor-paged list; next is documented as a string
// but read leniently like everything else.
type cursorMeta struct {
	Pagination struct {
		Next lString `json:"next"`
	} `json:"pagination"`
}

// cursorQuery is one cursor walk: the endpoint, the fixed query parameters
// (filter, sort), the page size and the cursor to start after.
type cursorQuery struct {
	endpoint string
	params   url.Values
	limit    int    // already capped by the caller
	after    string // "" = first page
	// what names the records in a callback error ("jobs callback").
	what string
}

// cursorWalk fetches pages of a cursor-paged endpoint until meta.pagination.next
// is absent, streaming each page's records into sink (sink.meta and sink.skip
// are set here). stats is updated as pages arrive, so it is accurate when the
// walk ends in an error too.
func (c *Client) cursorWalk(ctx context.Context, q cursorQuery, sink *recordSink, stats *PageStats) error {
	var meta cursorMeta
	page := *sink
	page.meta = &meta
	emit := sink.emit
	page.emit = func() error { stats.Records++; return emit() }
	page.skip = skipLogger(ctx, q.endpoint, stats)
	return c.cursorPages(ctx, q, stats, func(r io.Reader) (string, error) {
		meta = cursorMeta{}
		err := walkPage(r, &page)
		return string(meta.Pagination.Next), err
	})
}

// skipLogger counts, and logs at debug, the records of a walk that could not be decoded.
func skipLogger(ctx context.Context, endpoint string, stats *PageStats) func(int, string) {
	logger := loggerFrom(ctx)
	return func(i int, kind string) {
		stats.Skipped++
		level.Debug(logger).Log("msg", "skipping undecodable record", "endpoint", endpoint,
			"page", stats.Pages+1, "index", i, "kind", kind)
	}
}

// cursorPages is the paging loop of a cursor walk: decode reads one page, calling back as its
// records go by, and returns the page's meta.pagination.next. The jobs walk has a decoder of its
// own (jobsDecoder); the other lists go through walkPage (cursorWalk).
func (c *Client) cursorPages(ctx context.Context, q cursorQuery, stats *PageStats, decode func(io.Reader) (string, error)) error {
	cursor := q.after
	guard := newCursorGuard(cursor, c.pageLimits.cursorPages)
	for {
		vals := url.Values{"page[limit]": {strconv.Itoa(q.limit)}}
		for k, v := range q.params {
			vals[k] = v
		}
		if cursor != "" {
			vals.Set("page[after]", cursor)
		}
		var next string
		err := c.call(withPage(ctx, stats.Pages+1), q.endpoint, vals, func(r io.Reader) error {
			var err error
			next, err = decode(r)
			return err
		})
		if err != nil {
			var ce *callbackError
			if errors.As(err, &ce) {
				return fmt.Errorf("GET %s: %s: %w", q.endpoint, q.what, ce.err)
			}
			return err
		}
		stats.Pages++
		stats.LastCursor = next
		if next == "" {
			return nil
		}
		if err := guard.check(q.endpoint, stats.Pages, next, c.scrub); err != nil {
			return err
		}
		cursor = next
	}
}

// cursorLimit applies the documented default and cap to a caller's page size.
func cursorLimit(pageSize int) int {
	if pageSize <= 0 || pageSize > maxCursorPageSize {
		return maxCursorPageSize
	}
	return pageSize
}
