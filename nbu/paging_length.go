package nbu

import (
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"net/url"
	"strconv"
)

// lengthWalk fetches every page of a list whose spec documents page[offset] and page[limit] but
// no meta.pagination (/servicecatalog/slos). Without meta, the last page is an empty one, or one
// shorter than a page before it: a page shorter than the limit asked may be all the records, or
// a server's own cap on page[limit] (the spec gives none), so only the next page tells. Where a
// server does send meta.pagination, its next (or count) ends the walk without that extra page. A
// server that ignores page[offset] and sends the same records again is stopped, and the walk takes
// at most the client's offset-page bound. limit must already be capped by the caller.
func (c *Client) lengthWalk(ctx context.Context, endpoint string, limit int, sink *recordSink) error {
	var (
		meta        offsetMeta
		onPage, ids int
		pageHash    maphash.Hash
	)
	emit, skip := sink.emit, sink.skip
	page := *sink
	page.meta = &meta
	page.emit = func() error {
		onPage++
		if *sink.id != "" {
			ids++
			_, _ = pageHash.WriteString(string(*sink.id))
			_ = pageHash.WriteByte(0)
		}
		return emit()
	}
	logSkip := skipRecordLogger(ctx, endpoint)
	page.skip = func(i int, kind string) {
		onPage++
		logSkip(i, kind)
		if skip != nil {
			skip(i, kind)
		}
	}
	var prev uint64               // the hash of the previous page's ids; 0 for none
	offset, widest := int64(0), 0 // widest: the most records a page held so far
	for pages := 1; ; pages++ {
		vals := url.Values{"page[offset]": {strconv.FormatInt(offset, 10)}, "page[limit]": {strconv.Itoa(limit)}}
		meta, onPage, ids = offsetMeta{}, 0, 0
		pageHash.Reset()
		if err := c.call(withPage(ctx, pages), endpoint, vals, func(r io.Reader) error { return walkPage(r, &page) }); err != nil {
			return err
		}
		next, err := nextLengthOffset(endpoint, pages, offset, onPage, widest, &meta)
		if err != nil || next < 0 {
			return err
		}
		// Records without ids cannot be told apart: only pages with ids are compared.
		h := pageHash.Sum64()
		switch {
		case ids > 0 && h == prev:
			return fmt.Errorf("GET %s: page %d at offset %d holds the records of the page before; the server ignores page[offset], stopping",
				endpoint, pages, offset)
		case pages >= c.pageLimits.offsetPages:
			return fmt.Errorf("GET %s: still paging after %d pages; stopping", endpoint, pages)
		}
		prev, offset, widest = h, next, max(widest, onPage)
	}
}

// nextLengthOffset is the offset of the page after one that held onPage records (widest: the
// most a page before it held), or -1 when that page was the last.
func nextLengthOffset(endpoint string, pages int, offset int64, onPage, widest int, meta *offsetMeta) (int64, error) {
	next, count := meta.Pagination.Next, int64(meta.Pagination.Count)
	switch {
	case onPage == 0:
		return -1, nil
	case next.set && next.v == 0:
		return -1, nil
	case next.set && next.v <= offset:
		return 0, fmt.Errorf("GET %s: page %d at offset %d points to next offset %d, which does not advance; stopping to avoid a loop",
			endpoint, pages, offset, next.v)
	case next.set && count > 0 && next.v >= count:
		return -1, nil
	case next.set:
		return next.v, nil
	case count > 0 && offset+int64(onPage) >= count:
		return -1, nil
	case onPage < widest:
		return -1, nil
	}
	return offset + int64(onPage), nil
}
