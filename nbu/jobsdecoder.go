package nbu

import (
	"bytes"
	"unicode/utf8"
)

// newJobsDecoder is the decoder of /admin/jobs pages: emit is called for each job (its error
// stops the walk), skip for each data[] element that is not an object, with its JSON kind. Its
// sink builds the Job from the id and the attributes the fast path reads; meta reads the cursor.
func newJobsDecoder(emit func(*Job) error, skip func(int, string)) *pageDecoder {
	d := newPageDecoder(nil)
	d.jobs, d.labels = true, interner{m: map[string]string{}}
	d.sink = &recordSink{id: &d.id, skip: skip,
		reset: func() { d.id, d.attrs = "", jobAttrs{} },
		emit: func() error {
			d.attrs.toJob(&d.job, string(d.id))
			return emit(&d.job)
		}}
	return d
}

// meta reads the jobs decoder's meta.pagination.next as decodeLenient reads it into cursorMeta,
// without encoding/json's allocations: any other shape is validated and ignored. Like a Decode
// call, it changes nothing when the value turns out malformed.
func (d *pageDecoder) meta() error {
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

// member reads an object, calling value for each member whose name matches name as encoding/json
// matches a struct field, and skipping the others; a value that is not an object is skipped.
func (d *pageDecoder) member(name string, value func() error) error {
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

// jobFields are the attributes the decoder builds, by their JSON names, with how each is read
// into d.attrs: by the lenient types' own rules, which give an object or an array the zero value.
var jobFields = [...]struct {
	name string
	read func(d *pageDecoder, raw []byte)
}{
	{"jobId", func(d *pageDecoder, raw []byte) { _ = d.attrs.JobID.UnmarshalJSON(raw) }},
	{"parentJobId", func(d *pageDecoder, raw []byte) { _ = d.attrs.ParentJobID.UnmarshalJSON(raw) }},
	{"jobType", func(d *pageDecoder, raw []byte) { d.enum(&d.attrs.JobType, raw) }},
	{"policyType", func(d *pageDecoder, raw []byte) { d.enum(&d.attrs.PolicyType, raw) }},
	{"policyName", func(d *pageDecoder, raw []byte) { d.label(&d.attrs.PolicyName, raw) }},
	{"clientName", func(d *pageDecoder, raw []byte) { d.label(&d.attrs.ClientName, raw) }},
	{"scheduleType", func(d *pageDecoder, raw []byte) { d.enum(&d.attrs.ScheduleType, raw) }},
	{"state", func(d *pageDecoder, raw []byte) { d.enum(&d.attrs.State, raw) }},
	{"status", func(d *pageDecoder, raw []byte) { _ = d.attrs.Status.UnmarshalJSON(raw) }},
	{"jobQueueReason", func(d *pageDecoder, raw []byte) { _ = d.attrs.JobQueueReason.UnmarshalJSON(raw) }},
	{"kilobytesTransferred", func(d *pageDecoder, raw []byte) { _ = d.attrs.KilobytesTransferred.UnmarshalJSON(raw) }},
	{"numberOfFiles", func(d *pageDecoder, raw []byte) { _ = d.attrs.NumberOfFiles.UnmarshalJSON(raw) }},
	{"dedupRatio", func(d *pageDecoder, raw []byte) { _ = d.attrs.DedupRatio.UnmarshalJSON(raw) }},
	{"startTime", func(d *pageDecoder, raw []byte) { _ = d.attrs.StartTime.UnmarshalJSON(raw) }},
	{"endTime", func(d *pageDecoder, raw []byte) { _ = d.attrs.EndTime.UnmarshalJSON(raw) }},
	{"lastUpdateTime", func(d *pageDecoder, raw []byte) { _ = d.attrs.LastUpdateTime.UnmarshalJSON(raw) }},
}

// fieldNone is jobField's answer for a member that is skipped.
const fieldNone = -1

// jobField is the index in jobFields of the field a member of attributes decodes into, as
// encoding/json picks a struct field: the exact name, else one equal under Unicode case folding
// ("ſ" is an "s", the Kelvin sign a "k"; no two field names fold alike, so the first match is the
// one).
func jobField(name []byte) int {
	for f := range jobFields {
		if foldEqual(name, jobFields[f].name) {
			return f
		}
	}
	return fieldNone
}

// foldEqual reports whether a member name matches a field name as encoding/json matches it.
func foldEqual(name []byte, field string) bool { return bytes.EqualFold(name, []byte(field)) }

// fieldMemo remembers jobField's answer for the name at each place in an attributes object:
// NetBackup lists the same names in the same order in every record, so a name is compared with
// the one before it at its place rather than with every field name.
type fieldMemo [maxMemoPlaces]struct {
	name  [maxMemoName]byte
	len   uint8
	field int8 // jobField's answer + 1: the zero entry says an empty name is no field
}

const maxMemoPlaces, maxMemoName = 128, 32

func (m *fieldMemo) field(i int, name []byte) int {
	if i >= len(m) || len(name) > maxMemoName {
		return jobField(name)
	}
	e := &m[i]
	if int(e.len) == len(name) && string(e.name[:e.len]) == string(name) {
		return int(e.field) - 1
	}
	f := jobField(name)
	e.len, e.field = uint8(copy(e.name[:], name)), int8(f+1)
	return f
}

// attributes decodes a record's attributes object, at its '{', into d.attrs.
func (d *pageDecoder) attributes() error {
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		name, more, err := d.nextName()
		if err != nil || !more {
			return err
		}
		if f := d.fields.field(i, name); f == fieldNone {
			err = d.skipValue()
		} else {
			err = d.attribute(f)
		}
		if err != nil {
			return err
		}
	}
}

// attribute reads the value of the attribute jobFields[f] into d.attrs.
func (d *pageDecoder) attribute(f int) error {
	raw, err := d.dec.ReadValue()
	if err == nil {
		jobFields[f].read(d, raw)
	}
	return err
}

// label sets a policy or client name: these repeat across the jobs of a walk, so a plain string
// is interned rather than allocated per job. Anything else goes through lString.
func (d *pageDecoder) label(dst *lString, raw []byte) {
	if inner, ok := plainString(raw); ok {
		*dst = lString(d.labels.get(inner))
		return
	}
	_ = dst.UnmarshalJSON(raw)
}

// enum is lEnum's decoding, with unknown values interned like labels.
func (d *pageDecoder) enum(dst *lEnum, raw []byte) {
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
// ever-new names does not grow it without end: past the bound, values are allocated per job.
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
