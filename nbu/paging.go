package nbu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/url"
	"strconv"

	"github.com/go-kit/log/level"
	"go.opentelemetry.io/otel/trace"
)

// This file is the paging of every list the client reads: the offset walk, the cursor walk, the
// bounds on both, and the streaming of one JSON:API page's records into a sink. A walk asks
// request.go for each page (call) and decodes the page while its answer is read.

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
	var meta offsetMeta
	onPage := 0
	emit, skip := sink.emit, sink.skip
	page := *sink
	page.meta = &meta
	page.emit = func() error { onPage++; return emit() }
	page.skip = func(i int, kind string) {
		onPage++
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
		if err := c.call(withPage(ctx, pages), endpoint, vals, func(r io.Reader) error { return walkPage(r, &page) }); err != nil {
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
		if err := guard.check(q.endpoint, stats.Pages, next, c.Scrub); err != nil {
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

type pageKey struct{}

// withPage tells the attempt spans under ctx which page of a walk they fetch (1 = first). Only a
// traced walk pays for the context.
func withPage(ctx context.Context, page int) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	return context.WithValue(ctx, pageKey{}, page)
}

// Bounds on a paging walk. A server that never stops paging (a cursor new on every page, a next
// offset that never ends) must cost a bounded number of requests and bytes, whatever the deadline.
const (
	// maxCursorBytes: NetBackup's cursors are a few dozen bytes (base64 of a sort key and an id).
	maxCursorBytes = 4096
	// maxCursorPages: 2 million jobs at 100 a page, more than a day of the busiest master; one walk
	// of the jobs reader covers a shard of one probe's range.
	maxCursorPages = 20_000
	// maxOffsetPages: 500,000 records at 500 a page (100,000 drives at 100): no real list is longer.
	maxOffsetPages = 1000
)

// pageLimits are the walk bounds a client applies (a field, so that tests can lower them).
type pageLimits struct{ cursorPages, offsetPages int }

var defaultPageLimits = pageLimits{cursorPages: maxCursorPages, offsetPages: maxOffsetPages}

// cursorGuard ends a cursor walk whose server misbehaves: a cursor that repeats (a cycle), is
// empty-paged, too long, or a walk past maxCursorPages. It keeps a hash of each cursor seen,
// not the cursor: a long hostile cursor costs 8 bytes a page.
type cursorGuard struct {
	seed     maphash.Seed
	seen     map[uint64]struct{}
	maxPages int
}

func newCursorGuard(start string, maxPages int) *cursorGuard {
	g := &cursorGuard{seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}, maxPages: maxPages}
	if start != "" {
		g.seen[maphash.String(g.seed, start)] = struct{}{}
	}
	return g
}

// check vets the next cursor after page (1-based) of endpoint.
func (g *cursorGuard) check(endpoint string, page int, next string, scrub func(string) string) error {
	switch {
	case len(next) > maxCursorBytes:
		return fmt.Errorf("GET %s: page %d returned a cursor of %d bytes (at most %d); not a NetBackup cursor, stopping",
			endpoint, page, len(next), maxCursorBytes)
	case page >= g.maxPages:
		return fmt.Errorf("GET %s: still paging after %d pages; stopping (a server whose cursor never ends)", endpoint, page)
	}
	h := maphash.String(g.seed, next)
	if _, dup := g.seen[h]; dup {
		// A server bug; following it would fetch the same pages forever.
		return fmt.Errorf("GET %s: page %d returned cursor %q that was already used; stopping to avoid a loop",
			endpoint, page, truncate(scrub(next), 64))
	}
	g.seen[h] = struct{}{}
	return nil
}

// offsetPageLimit is how many pages an offset walk may take: what the count the server reports
// needs at the page size it serves (plus one for a count that grew meanwhile), at most
// maxOffsetPages.
func offsetPageLimit(count int64, perPage, maxPages int) int {
	if count <= 0 || perPage <= 0 {
		return maxPages
	}
	need := (count + int64(perPage) - 1) / int64(perPage)
	return int(min(need+1, int64(maxPages)))
}

// recordSink receives the records of one JSON:API list page as they stream
// past. id and attrs are decode targets for data[].id and data[].attributes;
// reset zeroes them before each record and emit is called after each record
// object, so nothing larger than one record is ever held.
type recordSink struct {
	id    *lString
	attrs any
	reset func()
	emit  func() error
	// skip is told about data[] elements that are not objects.
	skip func(index int, kind string)
	// meta is the decode target for the top-level "meta" member.
	meta any
}

// walkPage streams one JSON:API list document: it walks the top-level object
// with tokens, decodes data[] one element at a time, and decodes meta into
// sink.meta. Members other than data and meta are skipped unread.
func walkPage(r io.Reader, sink *recordSink) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err == io.EOF {
		// The jobs spec says "No data is returned if no jobs are found":
		// an empty 2xx body is an empty page, not a broken one.
		return nil
	}
	if err != nil {
		return describe(dec, "", err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("top-level JSON value is a %s, not an object", kindOf(tok))
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return describe(dec, "", err)
		}
		key, _ := kt.(string)
		switch key {
		case "data":
			err = walkData(dec, sink)
		case "meta":
			if sink.meta == nil {
				err = dec.Decode(&skipValue{})
			} else {
				err = decodeLenient(dec, sink.meta)
			}
			if err != nil {
				err = describe(dec, "meta", err)
			}
		default:
			// The member name is server text and stays out of the error.
			if err = dec.Decode(&skipValue{}); err != nil {
				err = describe(dec, "a top-level member", err)
			}
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "", err)
	}
	return nil
}

func walkData(dec *json.Decoder, sink *recordSink) error {
	tok, err := dec.Token()
	if err != nil {
		return describe(dec, "data", err)
	}
	switch tok {
	case nil:
		return nil // "data": null, no records
	case json.Delim('{'):
		// A lone resource object instead of an array: treat it as one record.
		return walkRecord(dec, sink)
	case json.Delim('['):
	default:
		sink.skip(0, kindOf(tok))
		return nil
	}
	// Each element is decoded with one Decode call into a reusable target:
	// walking a record's keys with Token would allocate for every key.
	target := &recordTarget{}
	holder := new(*recordTarget)
	for i := 0; dec.More(); i++ {
		sink.reset()
		target.ID, target.Attributes = sink.id, sink.attrs
		*holder = target
		err := dec.Decode(holder)
		var ute *json.UnmarshalTypeError
		switch {
		case err == nil && *holder == nil:
			sink.skip(i, "null")
			continue
		case err == nil:
		case errors.As(err, &ute) && ute.Field == "":
			// The element itself is not an object (string, number, array...).
			sink.skip(i, ute.Value)
			continue
		case errors.As(err, &ute):
			// A member such as "attributes" had the wrong kind; what did
			// decode is kept, the rest stays zero.
		default:
			return describe(dec, "data[0]", err)
		}
		if err := sink.emit(); err != nil {
			return &callbackError{err: err}
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "data", err)
	}
	return nil
}

// recordTarget points encoding/json at the sink's id and attributes. The
// pointers are re-set before every element because a JSON null clears them.
type recordTarget struct {
	ID         *lString `json:"id"`
	Attributes any      `json:"attributes"`
}

// walkRecord decodes one data[] object whose '{' has already been consumed
// (only for a lone "data" object; array elements go through recordTarget).
func walkRecord(dec *json.Decoder, sink *recordSink) error {
	sink.reset()
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return describe(dec, "data[0]", err)
		}
		key, _ := kt.(string)
		switch key {
		case "id":
			err = dec.Decode(sink.id)
		case "attributes":
			err = decodeLenient(dec, sink.attrs)
		default:
			err = dec.Decode(&skipValue{})
		}
		if err != nil {
			return describe(dec, "data[0]", err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "data[0]", err)
	}
	if err := sink.emit(); err != nil {
		return &callbackError{err: err}
	}
	return nil
}

// decodeLenient decodes the next value into v, ignoring a value of the wrong
// JSON kind (e.g. "attributes": "n/a"): the fields keep their zero values.
// Syntax errors and reader errors are returned.
func decodeLenient(dec *json.Decoder, v any) error {
	err := dec.Decode(v)
	var ute *json.UnmarshalTypeError
	if err != nil && errors.As(err, &ute) {
		return nil
	}
	return err
}

// describe turns a decoder error into one that says where it broke. Reader
// errors (body cap, cancelled context) pass through unchanged for the caller
// to classify.
func describe(dec *json.Decoder, where string, err error) error {
	var se *json.SyntaxError
	at := ""
	if where != "" {
		at = where + ": "
	}
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%struncated JSON after %d bytes: %w", at, dec.InputOffset(), io.ErrUnexpectedEOF)
	case errors.As(err, &se):
		return fmt.Errorf("%smalformed JSON at byte %d: %w", at, se.Offset, err)
	case errors.Is(err, ErrBodyTooLarge):
		return err
	}
	if where == "" {
		return err
	}
	return fmt.Errorf("%s%w", at, err)
}

// kindOf names a token's JSON kind in the words encoding/json uses in
// UnmarshalTypeError.Value, so skipped records are logged uniformly.
func kindOf(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case float64, json.Number:
		return "number"
	}
	switch tok {
	case json.Delim('['):
		return "array"
	case json.Delim('{'):
		return "object"
	}
	return fmt.Sprint(tok)
}
