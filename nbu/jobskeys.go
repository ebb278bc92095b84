package nbu

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Member names are matched as walkPage matches them: the top-level members and those of a lone
// "data" object exactly (Token gives their unescaped text), struct fields as encoding/json does
// (exact name first, else the same case folding). The fast paths below take a raw key literal,
// quotes included, and fall back to unquoting only for the rare key with an escape.

// keyText is the unescaped text of a raw key literal.
func keyText(raw []byte) []byte {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	s, _ := unquote(raw)
	return []byte(s)
}

// exactKey returns the index of the name the key equals, or -1.
func exactKey(raw []byte, names ...string) int {
	k := keyText(raw)
	for i, n := range names {
		if string(k) == n {
			return i
		}
	}
	return -1
}

// foldedKey returns the index of the name (given in folded form: ASCII upper case) the key
// matches case-insensitively, or -1.
func foldedKey(raw []byte, folded ...string) int {
	if k := raw[1 : len(raw)-1]; plainLetters(k) {
		// The common case, without a copy: letters only, compared case-insensitively.
		for i, n := range folded {
			if len(k) == len(n) && equalFoldUpper(k, n) {
				return i
			}
		}
		return -1
	}
	var buf [64]byte
	k := foldKey(buf[:0], keyText(raw))
	for i, n := range folded {
		if string(k) == n {
			return i
		}
	}
	return -1
}

// foldKey is encoding/json's appendFoldedName (fold.go): ASCII letters to upper case, other
// runes to the smallest rune of their fold set (so "ſ" matches "s" and the Kelvin sign "k").
func foldKey(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += n
	}
	return out
}

func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

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

// jobField names the jobAttrs field a key of attributes decodes into (fieldNone: skipped);
// plain says the key has no escape and no byte outside ASCII.
// Nearly every key NetBackup sends is an exact name, wanted or not; a miss is compared without
// case against the names of its length, and only a key with an escape or a non-ASCII byte (whose
// folded length may differ) is folded as encoding/json folds it.
func jobField(raw []byte, plain bool) int {
	k := raw[1 : len(raw)-1]
	if f := exactJobField(k); f != fieldNone {
		return f
	}
	if !plain {
		var buf [64]byte
		return foldedJobField(foldKey(buf[:0], keyText(raw)))
	}
	if len(k) >= len(fieldsByLength) {
		return fieldNone
	}
	for _, n := range fieldsByLength[len(k)] {
		if equalFoldLetters(k, n.lower) {
			return n.field
		}
	}
	return fieldNone
}

// equalFoldLetters compares an ASCII key with a name of lower-case letters: k[i]|0x20 equals a
// lower-case letter only if k[i] is that letter in either case.
func equalFoldLetters(k []byte, lower string) bool {
	for i := range len(lower) {
		if k[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// plainLetters: ASCII letters only (no escape, nothing that folds in a less obvious way).
func plainLetters(k []byte) bool {
	for _, c := range k {
		if c|0x20 < 'a' || c|0x20 > 'z' {
			return false
		}
	}
	return true
}

// equalFoldUpper compares letters with a name of upper-case letters.
func equalFoldUpper(k []byte, upper string) bool {
	for i := range len(upper) {
		if k[i]&^0x20 != upper[i] {
			return false
		}
	}
	return true
}

type namedField struct {
	lower string
	field int
}

// fieldsByLength lists the jobAttrs field names, lower-cased, by length.
var fieldsByLength = func() (t [21][]namedField) {
	for i, n := range []string{"jobId", "parentJobId", "jobType", "policyType", "policyName", "clientName",
		"scheduleType", "state", "status", "jobQueueReason", "kilobytesTransferred", "numberOfFiles",
		"dedupRatio", "startTime", "endTime", "lastUpdateTime"} {
		t[len(n)] = append(t[len(n)], namedField{strings.ToLower(n), fieldJobID + i})
	}
	return t
}()

func exactJobField(k []byte) int {
	switch string(k) {
	case "jobId":
		return fieldJobID
	case "parentJobId":
		return fieldParentJobID
	case "jobType":
		return fieldJobType
	case "policyType":
		return fieldPolicyType
	case "policyName":
		return fieldPolicyName
	case "clientName":
		return fieldClientName
	case "scheduleType":
		return fieldScheduleType
	case "state":
		return fieldState
	case "status":
		return fieldStatus
	case "jobQueueReason":
		return fieldJobQueueReason
	case "kilobytesTransferred":
		return fieldKilobytesTransferred
	case "numberOfFiles":
		return fieldNumberOfFiles
	case "dedupRatio":
		return fieldDedupRatio
	case "startTime":
		return fieldStartTime
	case "endTime":
		return fieldEndTime
	case "lastUpdateTime":
		return fieldLastUpdateTime
	}
	return fieldNone
}

func foldedJobField(k []byte) int {
	switch string(k) {
	case "JOBID":
		return fieldJobID
	case "PARENTJOBID":
		return fieldParentJobID
	case "JOBTYPE":
		return fieldJobType
	case "POLICYTYPE":
		return fieldPolicyType
	case "POLICYNAME":
		return fieldPolicyName
	case "CLIENTNAME":
		return fieldClientName
	case "SCHEDULETYPE":
		return fieldScheduleType
	case "STATE":
		return fieldState
	case "STATUS":
		return fieldStatus
	case "JOBQUEUEREASON":
		return fieldJobQueueReason
	case "KILOBYTESTRANSFERRED":
		return fieldKilobytesTransferred
	case "NUMBEROFFILES":
		return fieldNumberOfFiles
	case "DEDUPRATIO":
		return fieldDedupRatio
	case "STARTTIME":
		return fieldStartTime
	case "ENDTIME":
		return fieldEndTime
	case "LASTUPDATETIME":
		return fieldLastUpdateTime
	}
	return fieldNone
}
