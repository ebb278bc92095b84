package nbu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// jobsDecoder decodes /admin/jobs pages in one pass over the bytes, into the fields of Job and
// meta.pagination.next only: the ~60 other attributes of a job are validated and skipped without
// being built. It gives what walkPage with jobAttrs gives, field for field and error class for
// error class (the fuzz and property tests hold it to that), at a fraction of the CPU: on a first
// collection of 100k jobs, decoding was most of the exporter's work.
//
// One decoder serves the pages of one walk in turn; it is not safe for concurrent use.
type jobsDecoder struct {
	s      scanner
	labels interner
	job    Job
	id     lString
	attrs  jobAttrs
	next   lString // meta.pagination.next of the page
	// emit is called for each record (its error stops the walk); skip for each data[] element
	// that is not an object, with its JSON kind.
	emit func(*Job) error
	skip func(index int, kind string)
	// at says where in the page the decoder is, for errors: what, or what[index] if index >= 0.
	at struct {
		what  string
		index int
	}
}

func newJobsDecoder(emit func(*Job) error, skip func(int, string)) *jobsDecoder {
	return &jobsDecoder{emit: emit, skip: skip, labels: interner{m: map[string]string{}}}
}

// decodePage decodes one page from r, calling emit and skip as records go by.
func (d *jobsDecoder) decodePage(r io.Reader) error {
	d.s.reset(r)
	d.next = ""
	d.where("", -1)
	c, err := d.s.blank()
	switch {
	case err != nil && d.s.rerr == io.EOF:
		// "No data is returned if no jobs are found": an empty body is an empty page.
		return nil
	case err != nil:
		return d.describe(err)
	case c != '{':
		// Not a page at all: encoding/json's walker says exactly why (it never finds a record).
		return d.notAnObject()
	}
	d.s.pos++
	if err := d.page(); err != nil {
		var ce *callbackError
		if errors.As(err, &ce) {
			return err
		}
		return d.describe(err)
	}
	return nil
}

func (d *jobsDecoder) where(what string, index int) { d.at.what, d.at.index = what, index }

// page decodes the top-level members after the '{'; only data and meta (case-sensitive, as
// walkPage matches them) are looked at.
func (d *jobsDecoder) page() error {
	more, err := d.firstMember()
	for ; more && err == nil; more, err = d.nextMember() {
		d.where("", -1)
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		name := exactKey(key, "data", "meta")
		if err = d.s.colon(); err != nil {
			return err
		}
		switch name {
		case 0:
			d.where("data", -1)
			err = d.data()
		case 1:
			d.where("meta", -1)
			err = d.meta()
		default:
			d.where("a top-level member", -1)
			err = d.s.skip(0)
		}
		if err != nil {
			return err
		}
	}
	return err
}

// firstMember is called after an object's '{': it consumes an immediate '}' (false), or
// reports a first member to read (true).
func (d *jobsDecoder) firstMember() (bool, error) {
	c, err := d.s.blank()
	if err != nil {
		return false, err
	}
	if c == '}' {
		d.s.pos++
		return false, nil
	}
	return true, nil
}

// nextMember is called after a member's value: ',' means another member, '}' the end.
func (d *jobsDecoder) nextMember() (bool, error) {
	if s := &d.s; s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ',':
			s.pos++
			return true, nil
		case '}':
			s.pos++
			return false, nil
		}
	}
	return d.nextMemberSlow()
}

func (d *jobsDecoder) nextMemberSlow() (bool, error) {
	c, err := d.s.blank()
	if err != nil {
		return false, err
	}
	d.s.pos++
	switch c {
	case ',':
		return true, nil
	case '}':
		return false, nil
	}
	d.s.pos--
	return false, d.s.syntax("invalid character " + quoteByte(c) + " after object key:value pair")
}

// key reads a member name; the slice is valid until the next read.
func (d *jobsDecoder) key() ([]byte, error) {
	if d.s.pos < len(d.s.buf) && d.s.buf[d.s.pos] == '"' {
		return d.s.str(true)
	}
	c, err := d.s.blank()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, d.s.syntax("invalid character " + quoteByte(c) + " looking for beginning of object key string")
	}
	return d.s.str(true)
}

// data decodes the value of "data": an array of records, a lone record, or (skipped) anything
// else, as walkData does.
func (d *jobsDecoder) data() error {
	c, err := d.s.blank()
	if err != nil {
		return err
	}
	switch {
	case c == '[':
		d.s.pos++
		return d.array()
	case c == '{':
		// A lone resource object instead of an array: one record.
		d.s.pos++
		d.where("data", 0)
		return d.loneRecord()
	case c == 'n':
		_, err := d.s.literal() // "data": null, no records
		return err
	case c == '-' || '0' <= c && c <= '9':
		return d.dataNumber()
	}
	kind, err := d.skipScalar(c, 0)
	if err == nil {
		d.skip(0, kind)
	}
	return err
}

// dataNumber skips a number given for "data". walkData reads it as a float64 token, which
// fails for one out of float64's range: that stays an error.
func (d *jobsDecoder) dataNumber() error {
	raw, err := d.s.number(true)
	if err != nil {
		return err
	}
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return err
	}
	d.skip(0, "number")
	return nil
}

// skipScalar skips a value that is not an object and names its kind as encoding/json does.
func (d *jobsDecoder) skipScalar(c byte, depth int) (string, error) {
	switch {
	case c == '"':
		_, err := d.s.str(false)
		return "string", err
	case c == '-' || '0' <= c && c <= '9':
		_, err := d.s.number(false)
		return "number", err
	case c == 't' || c == 'f':
		_, err := d.s.literal()
		return "bool", err
	case c == 'n':
		_, err := d.s.literal()
		return "null", err
	case c == '[':
		return "array", d.s.skip(depth)
	}
	return "", d.s.syntax("invalid character " + quoteByte(c) + " looking for beginning of value")
}

// array decodes data[] after its '['. An element that is not an object is skipped and told to
// skip; a record is emitted once it has been read whole.
func (d *jobsDecoder) array() error {
	c, err := d.s.blank()
	if err != nil {
		return err
	}
	if c == ']' {
		d.s.pos++
		return nil
	}
	for i := 0; ; i++ {
		d.where("data", i)
		if err := d.element(i); err != nil {
			return err
		}
		d.where("data", -1)
		c, err := d.s.blank()
		if err != nil {
			return err
		}
		d.s.pos++
		switch c {
		case ',':
			continue
		case ']':
			return nil
		}
		d.s.pos--
		return d.s.syntax("invalid character " + quoteByte(c) + " after array element")
	}
}

func (d *jobsDecoder) element(i int) error {
	c, err := d.s.blank()
	if err != nil {
		return err
	}
	if c == '{' {
		d.s.pos++
		return d.record()
	}
	kind, err := d.skipScalar(c, 0)
	if err == nil {
		d.skip(i, kind)
	}
	return err
}

// record decodes one data[] object after its '{' (nesting depth 1), matching "id" and
// "attributes" case-insensitively as encoding/json matches struct fields. A null for either
// clears recordTarget's pointer there, after which walkData no longer sees that member: the
// same holds here.
func (d *jobsDecoder) record() error {
	d.id, d.attrs = "", jobAttrs{}
	idLive, attrsLive := true, true
	more, err := d.firstMember()
	for ; more && err == nil; more, err = d.nextMember() {
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		name := foldedKey(key, "ID", "ATTRIBUTES")
		if err = d.s.colon(); err != nil {
			return err
		}
		switch {
		case name == 0 && idLive:
			idLive, err = d.recordID()
		case name == 1 && attrsLive:
			attrsLive, err = d.recordAttributes()
		default:
			err = d.s.skip(1)
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return d.emitRecord()
}

// recordID reads data[].id; false after a null.
func (d *jobsDecoder) recordID() (bool, error) {
	raw, err := d.s.scalar(1)
	if err != nil {
		return false, err
	}
	if bytes.Equal(raw, litNull) {
		return false, nil
	}
	_ = d.id.UnmarshalJSON(raw)
	return true, nil
}

// recordAttributes reads data[].attributes; false after a null. A value that is not an object
// is ignored, as walkData ignores its UnmarshalTypeError.
func (d *jobsDecoder) recordAttributes() (bool, error) {
	c, err := d.s.blank()
	if err != nil {
		return false, err
	}
	switch c {
	case '{':
		d.s.pos++
		return true, d.attributes(2)
	case 'n':
		_, err := d.s.literal()
		return false, err
	}
	return true, d.s.skip(1)
}

// loneRecord decodes "data": {...} after its '{', as walkRecord does: members matched
// case-sensitively and each decoded on its own (a null id is "", a null attributes nothing).
func (d *jobsDecoder) loneRecord() error {
	d.id, d.attrs = "", jobAttrs{}
	more, err := d.firstMember()
	for ; more && err == nil; more, err = d.nextMember() {
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		name := exactKey(key, "id", "attributes")
		if err = d.s.colon(); err != nil {
			return err
		}
		switch name {
		case 0:
			var raw []byte
			if raw, err = d.s.scalar(0); err == nil {
				_ = d.id.UnmarshalJSON(raw)
			}
		case 1:
			err = d.loneAttributes()
		default:
			err = d.s.skip(0)
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return d.emitRecord()
}

func (d *jobsDecoder) loneAttributes() error {
	c, err := d.s.blank()
	if err != nil {
		return err
	}
	if c == '{' {
		d.s.pos++
		return d.attributes(1)
	}
	return d.s.skip(0)
}

func (d *jobsDecoder) emitRecord() error {
	d.attrs.toJob(&d.job, string(d.id))
	if err := d.emit(&d.job); err != nil {
		return &callbackError{err: err}
	}
	return nil
}

// attributes decodes a record's attributes after the '{'; depth is the object's own nesting.
func (d *jobsDecoder) attributes(depth int) error {
	more, err := d.firstMember()
	s := &d.s
	for more && err == nil {
		// This loop runs for every attribute of every job: the checks for compact JSON (a quote,
		// a colon, a comma where expected) are written out here, where the compiler will not
		// inline them, and the general paths taken otherwise.
		var key []byte
		if s.pos < len(s.buf) && s.buf[s.pos] == '"' {
			key, err = s.str(true)
		} else {
			key, err = d.key()
		}
		if err != nil {
			return err
		}
		f := jobField(key, s.plain)
		if s.pos < len(s.buf) && s.buf[s.pos] == ':' {
			s.pos++
		} else if err = s.colon(); err != nil {
			return err
		}
		switch {
		case f != fieldNone:
			err = d.attribute(f, depth)
		case s.pos < len(s.buf) && s.buf[s.pos] == '"':
			_, err = s.str(false)
		default:
			err = s.skip(depth)
		}
		if err != nil {
			return err
		}
		if s.pos < len(s.buf) && s.buf[s.pos] == ',' {
			s.pos++
			continue
		}
		more, err = d.nextMember()
	}
	return err
}

// attribute reads one wanted attribute into d.attrs with the lenient types' own rules.
func (d *jobsDecoder) attribute(f int, depth int) error {
	raw, err := d.s.scalar(depth)
	if err != nil {
		return err
	}
	a := &d.attrs
	switch f {
	case fieldJobID:
		_ = a.JobID.UnmarshalJSON(raw)
	case fieldParentJobID:
		_ = a.ParentJobID.UnmarshalJSON(raw)
	case fieldJobType:
		d.enum(&a.JobType, raw)
	case fieldPolicyType:
		d.enum(&a.PolicyType, raw)
	case fieldPolicyName:
		d.label(&a.PolicyName, raw)
	case fieldClientName:
		d.label(&a.ClientName, raw)
	case fieldScheduleType:
		d.enum(&a.ScheduleType, raw)
	case fieldState:
		d.enum(&a.State, raw)
	case fieldStatus:
		_ = a.Status.UnmarshalJSON(raw)
	case fieldJobQueueReason:
		_ = a.JobQueueReason.UnmarshalJSON(raw)
	case fieldKilobytesTransferred:
		_ = a.KilobytesTransferred.UnmarshalJSON(raw)
	case fieldNumberOfFiles:
		_ = a.NumberOfFiles.UnmarshalJSON(raw)
	case fieldDedupRatio:
		_ = a.DedupRatio.UnmarshalJSON(raw)
	case fieldStartTime:
		_ = a.StartTime.UnmarshalJSON(raw)
	case fieldEndTime:
		_ = a.EndTime.UnmarshalJSON(raw)
	case fieldLastUpdateTime:
		_ = a.LastUpdateTime.UnmarshalJSON(raw)
	}
	return nil
}

// label sets a policy or client name: these repeat across the jobs of a walk, so a plain string
// is interned rather than allocated per job. Anything else goes through lString.
func (d *jobsDecoder) label(dst *lString, raw []byte) {
	if inner, ok := plainString(raw); ok {
		*dst = lString(d.labels.get(inner))
		return
	}
	_ = dst.UnmarshalJSON(raw)
}

// enum is lEnum's decoding, with unknown values interned like labels.
func (d *jobsDecoder) enum(dst *lEnum, raw []byte) {
	if inner, ok := plainString(raw); ok && len(inner) > 0 {
		if v, ok := knownEnumValues[string(inner)]; ok {
			*dst = lEnum(v)
		} else {
			*dst = lEnum(d.labels.get(inner))
		}
		return
	}
	_ = dst.UnmarshalJSON(raw)
}

// plainString returns the text of a string literal that unquote would return unchanged: no
// escapes, valid UTF-8.
func plainString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	return inner, bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}

// interner hands out one string per distinct value, bounded so that a walk over jobs with
// ever-new names does not grow it without end: past the bound, values are allocated per job as
// before.
type interner struct {
	m     map[string]string
	bytes int
}

const (
	maxInterned      = 4096
	maxInternedBytes = 128 << 10
)

func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < maxInterned && in.bytes+len(b) <= maxInternedBytes {
		in.m[s] = s
		in.bytes += len(b)
	}
	return s
}

// meta decodes meta.pagination.next; any other shape is validated and ignored, as decodeLenient
// ignores it. Like a Decode call, it changes nothing when the value turns out malformed.
func (d *jobsDecoder) meta() error {
	prev := d.next
	err := d.metaValue()
	if err != nil {
		d.next = prev
	}
	return err
}

func (d *jobsDecoder) metaValue() error {
	c, err := d.s.blank()
	if err != nil {
		return err
	}
	if c != '{' {
		return d.s.skip(0)
	}
	d.s.pos++
	return d.object(1, "PAGINATION", func() error {
		c, err := d.s.blank()
		if err != nil {
			return err
		}
		if c != '{' {
			return d.s.skip(1)
		}
		d.s.pos++
		return d.object(2, "NEXT", func() error {
			raw, err := d.s.scalar(2)
			if err == nil {
				_ = d.next.UnmarshalJSON(raw)
			}
			return err
		})
	})
}

// object walks an object after its '{' at nesting depth, calling value for the member whose
// name folds to want (upper case) and skipping the others. Only for meta, once a page: the
// closures cost nothing that matters there.
func (d *jobsDecoder) object(depth int, want string, value func() error) error {
	more, err := d.firstMember()
	for ; more && err == nil; more, err = d.nextMember() {
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		hit := foldedKey(key, want) == 0
		if err = d.s.colon(); err != nil {
			return err
		}
		if hit {
			err = value()
		} else {
			err = d.s.skip(depth)
		}
		if err != nil {
			return err
		}
	}
	return err
}

// notAnObject runs the rest of a document that does not start with '{' through walkPage, for
// its error (or its nil for an input it accepts): such a page never holds a record.
func (d *jobsDecoder) notAnObject() error {
	rest := io.MultiReader(bytes.NewReader(d.s.buf[d.s.pos:]), &afterBuffer{s: &d.s})
	var (
		id    lString
		attrs jobAttrs
		meta  cursorMeta
	)
	return walkPage(rest, &recordSink{
		id: &id, attrs: &attrs, meta: &meta,
		reset: func() { id, attrs = "", jobAttrs{} },
		emit:  func() error { attrs.toJob(&d.job, string(id)); return d.emit(&d.job) },
		skip:  d.skip,
	})
}

// afterBuffer reads what the scanner's reader has not yet given it, error included.
type afterBuffer struct{ s *scanner }

func (a *afterBuffer) Read(p []byte) (int, error) {
	if a.s.rerr != nil {
		return 0, a.s.rerr
	}
	return a.s.r.Read(p)
}

// describe says where a decoding error happened, in describe's words: truncation and malformed
// JSON with the byte offset; reader errors (body cap, cancelled context) pass through for the
// caller to classify.
func (d *jobsDecoder) describe(err error) error {
	at := d.at.what
	if d.at.index >= 0 {
		at = fmt.Sprintf("%s[%d]", at, d.at.index)
	}
	if at != "" {
		at += ": "
	}
	var se *syntaxError
	switch {
	case errors.Is(err, errNoMore) && (d.s.rerr == io.EOF || d.s.rerr == nil):
		return fmt.Errorf("%struncated JSON after %d bytes: %w", at, d.s.offset(), io.ErrUnexpectedEOF)
	case errors.Is(err, errNoMore):
		err = d.s.rerr
	case errors.As(err, &se):
		return fmt.Errorf("%smalformed JSON at byte %d: %w", at, se.off, err)
	}
	if errors.Is(err, ErrBodyTooLarge) || at == "" {
		return err
	}
	return fmt.Errorf("%s%w", at, err)
}
