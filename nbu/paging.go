package nbu

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"net/url"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/go-kit/log/level"
	"go.opentelemetry.io/otel/trace"
)

// This file is the paging of every list the client reads: the offset walk, the cursor walk, the
// bounds on both, and the streaming of one JSON:API page's records into a sink (pageDecoder). A
// walk asks request.go for each page (call) and decodes the page while its answer is read.

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
// own (newJobsDecoder); the other lists go through walkPage (cursorWalk).
func (c *Client) cursorPages(ctx context.Context, q cursorQuery, stats *PageStats, decode func(io.Reader) (string, error)) error {
	cursor := q.after
	guard := newCursorGuard(cursor, c.pageLimits.cursorPages)
	for {
		vals := url.Values{"page[limit]": {strconv.Itoa(q.limit)}}
		maps.Copy(vals, q.params)
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
			if ce, ok := errors.AsType[*callbackError](err); ok {
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

// pageDecoder reads JSON:API list pages in one pass with jsontext: the records of data[] one by
// one into a recordSink as they go by, and the page's meta. It reads what encoding/json reads,
// field for field and error class for error class: the property and fuzz tests hold it to
// walkPageStd (walkpage_test.go), the encoding/json walk it replaces. A record's id, attributes
// and meta are matched as encoding/json matches struct fields, and its attributes and the page's
// meta are decoded by encoding/json from the raw value, with the lenient types' rules.
//
// /admin/jobs, most of the exporter's work on a first collection, has a fast path (jobsdecoder.go):
// its decoder builds the fields of Job from the attributes as they go by, and validates and skips
// the ~60 others without building them.
//
// One decoder serves the pages of one walk in turn; it is not safe for concurrent use.
type pageDecoder struct {
	dec  *jsontext.Decoder
	src  stickyReader  // what dec reads: body, with its first error kept
	body *bufio.Reader // the page's body, buffered; from bodyReaders
	sink *recordSink
	page jobsPageInfo
	// at says where in the page the decoder is, for errors: what, or what[index] if index >= 0.
	at struct {
		what  string
		index int
	}
	name []byte // scratch for a member name with escapes

	// The jobs decoder's: the job its sink emits, built from id and attrs.
	jobs   bool
	job    Job
	id     lString
	attrs  jobAttrs
	labels interner
	fields fieldMemo // the attributes' fields by place
}

// jobsPageInfo is what a page says besides its records.
type jobsPageInfo struct {
	next     lString // meta.pagination.next (of the jobs decoder's pages)
	hasMeta  bool    // the page has a top-level meta member
	records  int     // records emitted
	lastMeta []byte  // data[].meta of the last record read, raw (empty if none)
}

// pageDecodeOptions make jsontext read what encoding/json reads: duplicate member names (the
// last one wins) and invalid UTF-8 in strings (replaced when a string is kept).
//
// The bounds on what one page can cost: jsontext stops at 10000 levels of nesting, like
// encoding/json; a record is read member by member, and jsontext holds one member's value whole
// in its buffer (as encoding/json holds a whole record), so a hostile value costs about three
// times its length while it is read (the buffer doubles to hold it), and the client's
// MaxBodyBytes bounds its length; the jobs decoder's interner is bounded, and the record meta
// kept for the cursor is at most 8 KiB, overwritten record after record.
var pageDecodeOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// errNumberRange: encoding/json's Token, which read a top-level or "data" value, turns a number
// into a float64 and fails on one out of its range; the page decoder does too.
var errNumberRange = errors.New("number out of the range of a float64")

// errNameExpected: a member name that is not a string.
var errNameExpected = errors.New("looking for the beginning of a member name")

// walkPage decodes one JSON:API list page into sink: its records, as they stream past, and its
// meta (into sink.meta; skipped when nil). Members other than data and meta are skipped unread.
func walkPage(r io.Reader, sink *recordSink) error {
	d := newPageDecoder(sink)
	defer d.release()
	return d.decodePage(r)
}

func newPageDecoder(sink *recordSink) *pageDecoder {
	return &pageDecoder{dec: jsontext.NewDecoder(bytes.NewReader(nil), pageDecodeOptions...), sink: sink}
}

// decodePage decodes one page from r, calling the sink's emit and skip as records go by.
func (d *pageDecoder) decodePage(r io.Reader) error {
	if d.body == nil {
		d.body = bodyReaders.Get().(*bufio.Reader)
	}
	d.body.Reset(r)
	d.src = stickyReader{r: d.body}
	d.dec.Reset(&d.src, pageDecodeOptions...)
	d.page = jobsPageInfo{lastMeta: d.page.lastMeta[:0]}
	d.where("", -1)
	err := d.document()
	var ce *callbackError
	if err == nil || errors.As(err, &ce) {
		return err
	}
	return d.describe(err)
}

// bodyReaders buffer the body of a page for jsontext, which reads 4 KiB at a time: each of its
// reads would otherwise go through the HTTP stack, most of them to a system call. Pooled: a
// steady probe reads one small page, and should not cost a fresh buffer each time.
var bodyReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 32<<10) }}

// release hands the body buffer back once the walk is over.
func (d *pageDecoder) release() {
	if d.body != nil {
		d.body.Reset(nil)
		bodyReaders.Put(d.body)
		d.body = nil
	}
}

// stickyReader repeats its reader's first error on every later call. jsontext drops an error
// that comes with bytes and reads again; a reader may not fail again (the body reader refuses a
// run of blanks once, and would then go on reading it until the deadline).
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}

func (d *pageDecoder) where(what string, index int) { d.at.what, d.at.index = what, index }

// document reads the top-level value: an object whose data and meta members (matched exactly, as
// walkPageStd matches them) are read, or, for anything else, what walkPageStd says of it.
func (d *pageDecoder) document() error {
	switch k := d.dec.PeekKind(); k {
	case '{':
	case 0:
		_, err := d.dec.ReadToken()
		if err == io.EOF {
			// "No data is returned if no jobs are found": an empty body is an empty page.
			return nil
		}
		return err
	case '[':
		return errNotAnObject(k)
	default:
		if err := d.scalarKind(); err != nil {
			return err
		}
		return d.afterScalar(k)
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for {
		d.where("", -1)
		name, more, err := d.nextName()
		if err != nil || !more {
			return err
		}
		switch string(name) {
		case "data":
			d.where("data", -1)
			err = d.data()
		case "meta":
			d.where("meta", -1)
			d.page.hasMeta = true
			if d.jobs {
				err = d.meta()
			} else {
				err = d.decodeInto(d.sink.meta)
			}
		default:
			d.where("a top-level member", -1)
			err = d.skipValue()
		}
		if err != nil {
			return err
		}
	}
}

// afterScalar is walkPageStd's answer to a top-level scalar. encoding/json reads a byte past it to
// see it end, and so meets a reader error there first; jsontext has no need to, so we look.
func (d *pageDecoder) afterScalar(k jsontext.Kind) error {
	if d.dec.PeekKind() == 0 {
		var se *jsontext.SyntacticError
		if _, err := d.dec.ReadToken(); err != io.EOF && !errors.As(err, &se) {
			return err
		}
	}
	return errNotAnObject(k)
}

func errNotAnObject(k jsontext.Kind) error {
	return fmt.Errorf("top-level JSON value is a %s, not an object", kindName(k))
}

// kindName names a JSON kind in the words encoding/json uses in UnmarshalTypeError.Value, as
// walkPageStd's skips and errors do.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '[':
		return "array"
	case '{':
		return "object"
	}
	return k.String()
}

// scalarKind reads a value given where walkPageStd reads a Token, failing like it on a number out
// of float64's range.
func (d *pageDecoder) scalarKind() error {
	v, err := d.dec.ReadValue()
	if err != nil || v.Kind() != '0' {
		return err
	}
	if _, err := strconv.ParseFloat(string(v), 64); err != nil {
		return errNumberRange
	}
	return nil
}

// nextName reads the next member name of an object and returns its text, valid until the next
// read, or reads the end of the object (more false).
func (d *pageDecoder) nextName() (name []byte, more bool, err error) {
	switch d.dec.PeekKind() {
	case '}':
		_, err := d.dec.ReadToken()
		return nil, false, err
	case '"', 0:
	default:
		// jsontext would read the value before finding it in the wrong place, and call a cut
		// one truncated: encoding/json says malformed at once, and so do we.
		return nil, false, errNameExpected
	}
	raw, err := d.dec.ReadValue()
	if err != nil {
		return nil, false, err
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, true, nil
	}
	// jsontext has validated the escapes; invalid UTF-8 comes back replaced, as encoding/json
	// replaces it, and never matches a name we look for.
	d.name, _ = jsontext.AppendUnquote(d.name[:0], raw)
	return d.name, true, nil
}

// skipValue reads past the next value. ReadValue holds it whole in jsontext's buffer, as it
// holds any token: what is skipped on a page (a record's links, the attributes not wanted) is
// small, and ReadValue reads it in one call where SkipValue makes one a token.
func (d *pageDecoder) skipValue() error {
	_, err := d.dec.ReadValue()
	return err
}

// data decodes the value of "data": an array of records, a lone record, or (skipped) anything
// else, as walkData does.
func (d *pageDecoder) data() error {
	switch k := d.dec.PeekKind(); k {
	case '[':
		if _, err := d.dec.ReadToken(); err != nil {
			return err
		}
		return d.array()
	case '{':
		// A lone resource object instead of an array: one record.
		d.where("data", 0)
		if _, err := d.dec.ReadToken(); err != nil {
			return err
		}
		return d.record(true)
	case 'n':
		_, err := d.dec.ReadValue() // "data": null, no records
		return err
	case '"', '0', 't', 'f':
		if err := d.scalarKind(); err != nil {
			return err
		}
		d.sink.skip(0, kindName(k))
		return nil
	}
	_, err := d.dec.ReadValue() // the error
	return err
}

// array decodes data[] after its '['. An element that is not an object is skipped and told to
// skip; a record is emitted once it has been read whole.
func (d *pageDecoder) array() error {
	for i := 0; ; i++ {
		d.where("data", i)
		switch k := d.dec.PeekKind(); k {
		case ']':
			d.where("data", -1)
			_, err := d.dec.ReadToken()
			return err
		case '{':
			if _, err := d.dec.ReadToken(); err != nil {
				return err
			}
			if err := d.record(false); err != nil {
				return err
			}
		case 0:
			_, err := d.dec.ReadToken() // the error
			return err
		default:
			if err := d.skipValue(); err != nil {
				return err
			}
			d.sink.skip(i, kindName(k))
		}
	}
}

// record decodes one data[] object after its '{'. An element of the array is matched as
// encoding/json matches recordTarget's fields: case-folded, and a null for id or attributes
// clears recordTarget's pointer there, after which walkData no longer sees that member. The lone
// object of "data": {...} is matched as walkRecord matches it: exactly, each member decoded on its
// own (a null id is "", a null attributes nothing).
func (d *pageDecoder) record(lone bool) error {
	d.sink.reset()
	d.page.lastMeta = d.page.lastMeta[:0]
	idLive, attrsLive := true, true
	is := func(name []byte, field string) bool {
		if lone {
			return string(name) == field
		}
		return foldEqual(name, field)
	}
	for {
		name, more, err := d.nextName()
		if err != nil {
			return err
		}
		if !more {
			d.page.records++
			if err := d.sink.emit(); err != nil {
				return &callbackError{err: err}
			}
			return nil
		}
		switch {
		case idLive && is(name, "id"):
			var v []byte
			if v, err = d.dec.ReadValue(); err == nil {
				if idLive = lone || v[0] != 'n'; idLive {
					_ = d.sink.id.UnmarshalJSON(v)
				}
			}
		case attrsLive && is(name, "attributes"):
			k := d.dec.PeekKind()
			attrsLive = lone || k != 'n'
			switch {
			case k == '{' && d.jobs:
				err = d.attributes()
			case k == '{':
				err = d.decodeInto(d.sink.attrs)
			default:
				// A value that is not an object is ignored, as walkData ignores its
				// UnmarshalTypeError.
				err = d.skipValue()
			}
		case is(name, "meta"):
			err = d.recordMeta()
		default:
			err = d.skipValue()
		}
		if err != nil {
			return err
		}
	}
}

// decodeInto decodes the next value into v (skipping it when v is nil) with encoding/json, whose
// errors for a value of the wrong kind are ignored, as decodeLenient ignores them: the fields
// keep their zero values. The lenient types return no other error. Like a Decode call, it changes
// nothing when the value turns out malformed.
func (d *pageDecoder) decodeInto(v any) error {
	raw, err := d.dec.ReadValue()
	if err == nil && v != nil {
		_ = decodeLenientBytes(raw, v)
	}
	return err
}

// describe says where a decoding error happened: truncation and malformed JSON with the byte
// offset; reader errors (body cap, cancelled context) pass through for the caller to classify.
// jsontext's own message is not used whole: its JSON pointer names the members on the way,
// which are server text.
func (d *pageDecoder) describe(err error) error {
	at := d.at.what
	if d.at.index >= 0 {
		at = fmt.Sprintf("%s[%d]", at, d.at.index)
	}
	if at != "" {
		at += ": "
	}
	var se *jsontext.SyntacticError
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%struncated JSON after %d bytes: %w", at, d.dec.InputOffset(), io.ErrUnexpectedEOF)
	case errors.As(err, &se):
		return fmt.Errorf("%smalformed JSON at byte %d: %w", at, se.ByteOffset, se.Err)
	case errors.Is(err, errNameExpected):
		return fmt.Errorf("%smalformed JSON after byte %d: %w", at, d.dec.InputOffset(), err)
	case errors.Is(err, errNumberRange):
	case errors.Unwrap(err) != nil:
		// jsontext's read error: the reader's own is what callers classify.
		err = errors.Unwrap(err)
	}
	if errors.Is(err, ErrBodyTooLarge) || at == "" {
		return err
	}
	return fmt.Errorf("%s%w", at, err)
}

// recordMeta keeps a record's meta, raw, for its cursor (jobsPageInfo.nextCursor). A meta too
// long to hold a cursor the walk would follow (4 KiB at most) is not kept.
func (d *pageDecoder) recordMeta() error {
	v, err := d.dec.ReadValue()
	if err == nil && len(v) <= maxRecordMeta {
		d.page.lastMeta = append(d.page.lastMeta[:0], v...)
	}
	return err
}

const maxRecordMeta = 8 << 10
