package nbu

import (
	"bytes"
	"unicode/utf8"
)

// The jobAttrs fields, by their JSON names.
const (
	fieldNone = iota
	fieldJobID
	fieldParentJobID
	fieldJobType
	fieldPolicyType
	fieldPolicyName
	fieldClientName
	fieldScheduleType
	fieldState
	fieldStatus
	fieldJobQueueReason
	fieldKilobytesTransferred
	fieldNumberOfFiles
	fieldDedupRatio
	fieldStartTime
	fieldEndTime
	fieldLastUpdateTime
)

// jobFieldNames are the JSON names of the jobAttrs fields, indexed by field.
var jobFieldNames = [...]string{
	fieldJobID: "jobId", fieldParentJobID: "parentJobId", fieldJobType: "jobType",
	fieldPolicyType: "policyType", fieldPolicyName: "policyName", fieldClientName: "clientName",
	fieldScheduleType: "scheduleType", fieldState: "state", fieldStatus: "status",
	fieldJobQueueReason: "jobQueueReason", fieldKilobytesTransferred: "kilobytesTransferred",
	fieldNumberOfFiles: "numberOfFiles", fieldDedupRatio: "dedupRatio", fieldStartTime: "startTime",
	fieldEndTime: "endTime", fieldLastUpdateTime: "lastUpdateTime",
}

// jobField names the jobAttrs field a member of attributes decodes into (fieldNone: skipped),
// as encoding/json picks a struct field: the exact name, else one equal under case folding (no
// two field names fold alike, so the first match is the one).
func jobField(name []byte) int {
	ascii := isASCII(name)
	for f := fieldJobID; f < len(jobFieldNames); f++ {
		if foldMatch(name, ascii, jobFieldNames[f]) {
			return f
		}
	}
	return fieldNone
}

// equalFoldName reports whether a member name matches a field name as encoding/json matches it.
func equalFoldName(name []byte, field string) bool {
	return foldMatch(name, isASCII(name), field)
}

// foldMatch compares a member name with a field name in ASCII letters under Unicode simple case
// folding (bytes.EqualFold), as encoding/json does: "ſ" is an "s", the Kelvin sign a "k". A name
// in ASCII can only match one of its own length, and no name one longer than itself.
func foldMatch(name []byte, ascii bool, field string) bool {
	if len(name) != len(field) && (ascii || len(name) < len(field)) {
		return false
	}
	return bytes.EqualFold(name, []byte(field))
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fieldMemo remembers jobField's answer for the name at each place in an attributes object:
// NetBackup lists the same names in the same order in every record, so a name is compared with
// the one before it at its place rather than with every field name.
type fieldMemo [maxMemoPlaces]struct {
	name  [maxMemoName]byte
	len   uint8
	field uint8
}

const maxMemoPlaces, maxMemoName = 128, 32

func (m *fieldMemo) field(i int, name []byte) int {
	if i >= len(m) || len(name) > maxMemoName {
		return jobField(name)
	}
	e := &m[i]
	if int(e.len) == len(name) && string(e.name[:e.len]) == string(name) {
		return int(e.field)
	}
	f := jobField(name)
	e.len, e.field = uint8(copy(e.name[:], name)), uint8(f)
	return f
}

// attributes decodes a record's attributes object, at its '{', into d.attrs.
func (d *jobsDecoder) attributes() error {
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

// attribute reads one wanted attribute into d.attrs with the lenient types' own rules (which
// give an object or an array the zero value).
func (d *jobsDecoder) attribute(f int) error {
	raw, err := d.dec.ReadValue()
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
