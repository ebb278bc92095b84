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

// cursorWalk fetches every page of a cursor-paged endpoint (page[limit], page[after],
// meta.pagination.next), streaming the records into sink; extra (filter...) goes on every page.
// Jobs has its own loop, tuned for its volume; this one serves the other cursor endpoints.
func (c *Client) cursorWalk(ctx context.Context, endpoint string, extra url.Values, pageSize, maxLimit int, sink *recordSink) (PageStats, error) {
	var stats PageStats
	limit := pageSize
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	logger := loggerFrom(ctx)
	var meta cursorMeta
	page := *sink
	page.meta = &meta
	page.emit = func() error { stats.Records++; return sink.emit() }
	page.skip = func(i int, kind string) {
		stats.Skipped++
		level.Debug(logger).Log("msg", "skipping undecodable record", "endpoint", endpoint,
			"page", stats.Pages+1, "index", i, "kind", kind)
	}
	seen := map[string]struct{}{}
	cursor := ""
	for {
		vals := url.Values{"page[limit]": {strconv.Itoa(limit)}}
		for k, v := range extra {
			if len(v) > 0 && v[0] != "" {
				vals[k] = v
			}
		}
		if cursor != "" {
			vals.Set("page[after]", cursor)
		}
		meta = cursorMeta{}
		if err := c.call(ctx, endpoint, vals, func(r io.Reader) error { return walkPage(r, &page) }); err != nil {
			var ce *callbackError
			if errors.As(err, &ce) {
				return stats, fmt.Errorf("GET %s: callback: %w", endpoint, ce.err)
			}
			return stats, err
		}
		stats.Pages++
		next := string(meta.Pagination.Next)
		stats.LastCursor = next
		if next == "" {
			return stats, nil
		}
		if _, dup := seen[next]; dup {
			// The same cursor again (Veritas's own tape-media example does this): following it
			// would fetch the same pages forever.
			return stats, fmt.Errorf("GET %s: page %d returned cursor %q that was already used; stopping to avoid a loop",
				endpoint, stats.Pages, truncate(c.scrub(next), 64))
		}
		seen[next] = struct{}{}
		cursor = next
	}
}
