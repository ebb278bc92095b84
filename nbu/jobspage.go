package nbu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// jobsDecoder reads /admin/jobs pages in one pass with jsontext, building the fields of Job and
// the page's cursors only: the ~60 other attributes of a job are validated and skipped without
// being built. It gives what walkPage with jobAttrs gives, field for field and error class for
// error class (the property and fuzz tests hold it to that); decoding is most of the exporter's
// work on a first collection.
//
// One decoder serves the pages of one walk in turn; it is not safe for concurrent use.
type jobsDecoder struct {
	dec    *jsontext.Decoder
	src    stickyReader  // what dec reads: body, with its first error kept
	body   *bufio.Reader // the page's body, buffered; from bodyReaders
	labels interner
	job    Job
	id     lString
	attrs  jobAttrs
	page   jobsPageInfo
	// emit is called for each record (its error stops the walk); skip for each data[] element
	// that is not an object, with its JSON kind.
	emit func(*Job) error
	skip func(index int, kind string)
	// at says where in the page the decoder is, for errors: what, or what[index] if index >= 0.
	at struct {
		what  string
		index int
	}
	name   []byte    // scratch for a member name with escapes
	fields fieldMemo // the attributes' fields by place
}

// jobsPageInfo is what a page says besides its records.
type jobsPageInfo struct {
	next     lString // meta.pagination.next
	hasMeta  bool    // the page has a top-level meta member
	records  int     // records emitted
	lastMeta []byte  // data[].meta of the last record read, raw (empty if none)
}

// jobsDecodeOptions make jsontext read what encoding/json reads: duplicate member names (the
// last one wins) and invalid UTF-8 in strings (replaced when a string is kept).
//
// The bounds on what one page can cost: jsontext stops at 10000 levels of nesting, like
// encoding/json; a record is read member by member, and jsontext holds one member's value whole
// in its buffer (as encoding/json holds a whole record), so a hostile value costs about three
// times its length while it is read (the buffer doubles to hold it), and the client's
// MaxBodyBytes bounds its length; the interner is bounded, and the record meta kept for the
// cursor is at most 8 KiB, overwritten record after record.
var jobsDecodeOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// errNumberRange: walkPage reads a top-level or "data" value with encoding/json's Token, which
// turns a number into a float64 and fails on one out of its range; the jobs decoder does too.
var errNumberRange = errors.New("number out of the range of a float64")

// errNameExpected: a member name that is not a string.
var errNameExpected = errors.New("looking for the beginning of a member name")

func newJobsDecoder(emit func(*Job) error, skip func(int, string)) *jobsDecoder {
	return &jobsDecoder{
		dec:  jsontext.NewDecoder(bytes.NewReader(nil), jobsDecodeOptions...),
		emit: emit, skip: skip, labels: interner{m: map[string]string{}},
	}
}

// decodePage decodes one page from r, calling emit and skip as records go by.
func (d *jobsDecoder) decodePage(r io.Reader) error {
	if d.body == nil {
		d.body = bodyReaders.Get().(*bufio.Reader)
	}
	d.body.Reset(r)
	d.src = stickyReader{r: d.body}
	d.dec.Reset(&d.src, jobsDecodeOptions...)
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
func (d *jobsDecoder) release() {
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

func (d *jobsDecoder) where(what string, index int) { d.at.what, d.at.index = what, index }

// document reads the top-level value: an object whose data and meta members (matched exactly, as
// walkPage matches them) are read, or, for anything else, what walkPage says of it.
func (d *jobsDecoder) document() error {
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
			err = d.meta()
		default:
			d.where("a top-level member", -1)
			err = d.skipValue()
		}
		if err != nil {
			return err
		}
	}
}

// afterScalar is walkPage's answer to a top-level scalar. encoding/json reads a byte past it to
// see it end, and so meets a reader error there first; jsontext has no need to, so we look.
func (d *jobsDecoder) afterScalar(k jsontext.Kind) error {
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
// walkPage's skips and errors do.
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

// scalarKind reads a value given where walkPage reads a Token, failing like it on a number out
// of float64's range.
func (d *jobsDecoder) scalarKind() error {
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
func (d *jobsDecoder) nextName() (name []byte, more bool, err error) {
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
func (d *jobsDecoder) skipValue() error {
	_, err := d.dec.ReadValue()
	return err
}

// data decodes the value of "data": an array of records, a lone record, or (skipped) anything
// else, as walkData does.
func (d *jobsDecoder) data() error {
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
		d.skip(0, kindName(k))
		return nil
	}
	_, err := d.dec.ReadValue() // the error
	return err
}

// array decodes data[] after its '['. An element that is not an object is skipped and told to
// skip; a record is emitted once it has been read whole.
func (d *jobsDecoder) array() error {
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
			d.skip(i, kindName(k))
		}
	}
}

// record decodes one data[] object after its '{'. An element of the array is matched as
// encoding/json matches recordTarget's fields: case-folded, and a null for id or attributes
// clears recordTarget's pointer there, after which walkData no longer sees that member. The lone
// object of "data": {...} is matched as walkRecord matches it: exactly, each member decoded on its
// own (a null id is "", a null attributes nothing).
func (d *jobsDecoder) record(lone bool) error {
	d.id, d.attrs, d.page.lastMeta = "", jobAttrs{}, d.page.lastMeta[:0]
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
			return d.emitRecord()
		}
		switch {
		case idLive && is(name, "id"):
			var v []byte
			if v, err = d.dec.ReadValue(); err == nil {
				if idLive = lone || v[0] != 'n'; idLive {
					_ = d.id.UnmarshalJSON(v)
				}
			}
		case attrsLive && is(name, "attributes"):
			if k := d.dec.PeekKind(); k == '{' {
				err = d.attributes()
			} else {
				// A value that is not an object is ignored, as walkData ignores its
				// UnmarshalTypeError.
				attrsLive = lone || k != 'n'
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

func (d *jobsDecoder) emitRecord() error {
	d.attrs.toJob(&d.job, string(d.id))
	d.page.records++
	if err := d.emit(&d.job); err != nil {
		return &callbackError{err: err}
	}
	return nil
}

// describe says where a decoding error happened: truncation and malformed JSON with the byte
// offset; reader errors (body cap, cancelled context) pass through for the caller to classify.
// jsontext's own message is not used whole: its JSON pointer names the members on the way,
// which are server text.
func (d *jobsDecoder) describe(err error) error {
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

// meta decodes meta.pagination.next; any other shape is validated and ignored, as decodeLenient
// ignores it. Like a Decode call, it changes nothing when the value turns out malformed.
func (d *jobsDecoder) meta() error {
	prev := d.page.next
	err := d.member("pagination", func() error {
		return d.member("next", func() error {
			v, err := d.dec.ReadValue()
			if err == nil {
				_ = d.page.next.UnmarshalJSON(v)
			}
			return err
		})
	})
	if err != nil {
		d.page.next = prev
	}
	return err
}

// recordMeta keeps a record's meta, raw, for its cursor (jobsPageInfo.nextCursor). A meta too
// long to hold a cursor the walk would follow (4 KiB at most) is not kept.
func (d *jobsDecoder) recordMeta() error {
	v, err := d.dec.ReadValue()
	if err == nil && len(v) <= maxRecordMeta {
		d.page.lastMeta = append(d.page.lastMeta[:0], v...)
	}
	return err
}

const maxRecordMeta = 8 << 10

// member reads an object, calling value for each member whose name matches name as encoding/json
// matches a struct field, and skipping the others; a value that is not an object is skipped.
func (d *jobsDecoder) member(name string, value func() error) error {
	if d.dec.PeekKind() != '{' {
		return d.skipValue()
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for {
		n, more, err := d.nextName()
		if err != nil || !more {
			return err
		}
		if foldEqual(n, name) {
			err = value()
		} else {
			err = d.skipValue()
		}
		if err != nil {
			return err
		}
	}
}
