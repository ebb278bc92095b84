package nbu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The lenient scalar types below never return an error: real NetBackup
// servers (and Veritas's own examples) send numbers where strings are
// documented, strings where numbers are, floats for ints, null and the odd
// object. A value of the wrong kind decodes to the zero value so one odd
// field cannot cost a record or a page.

// lString accepts a JSON string, or a number kept as its literal text (ids).
type lString string

func (s *lString) UnmarshalJSON(b []byte) error {
	*s = ""
	if len(b) == 0 {
		return nil
	}
	switch c := b[0]; {
	case c == '"':
		if str, ok := unquote(b); ok {
			*s = lString(str)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		*s = lString(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return nil
}

// lInt accepts integers, floats (truncated toward zero) and numeric strings.
type lInt int64

func (n *lInt) UnmarshalJSON(b []byte) error {
	*n = 0
	if v, ok := numberBytes(b); ok {
		*n = lInt(parseInt(v))
	}
	return nil
}

// lFloat accepts numbers and numeric strings; non-finite values become 0.
type lFloat float64

func (f *lFloat) UnmarshalJSON(b []byte) error {
	*f = 0
	v, ok := numberBytes(b)
	if !ok {
		return nil
	}
	if i, ok := parseSmallInt(v); ok {
		*f = lFloat(i)
		return nil
	}
	if x, err := strconv.ParseFloat(string(v), 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
		*f = lFloat(x)
	}
	return nil
}

// lBool accepts true/false, their string forms, and numbers (non-zero = true).
type lBool bool

func (p *lBool) UnmarshalJSON(b []byte) error {
	*p = false
	switch {
	case len(b) == 0:
	case b[0] == 't':
		*p = true
	case b[0] == '"':
		if s, ok := unquote(b); ok {
			if v, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
				*p = lBool(v)
			} else if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				*p = x != 0
			}
		}
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		x, err := strconv.ParseFloat(string(b), 64)
		*p = err == nil && x != 0
	}
	return nil
}

// optInt is an integer that remembers whether it was present, for offset
// pagination where "next" absent means last page but 0 is a valid offset.
type optInt struct {
	v   int64
	set bool
}

func (o *optInt) UnmarshalJSON(b []byte) error {
	*o = optInt{}
	if v, ok := numberBytes(b); ok {
		o.v, o.set = parseInt(v), true
	}
	return nil
}

// lTime accepts RFC 3339 timestamps (NetBackup sends "2018-06-25T19:00:32.000Z")
// and a zone-less form read as UTC; anything else is the zero time.
type lTime time.Time

func (t *lTime) UnmarshalJSON(b []byte) error {
	*t = lTime{}
	if len(b) < 2 || b[0] != '"' {
		return nil
	}
	inner := b[1 : len(b)-1]
	if tm, ok := parseUTCFast(inner); ok {
		*t = lTime(tm)
		return nil
	}
	s, ok := unquote(b)
	if !ok {
		return nil
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if tm, err := time.Parse(layout, s); err == nil {
			*t = lTime(tm.UTC())
			return nil
		}
	}
	return nil
}

// skipValue consumes any JSON value without building it.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// unquote decodes a JSON string literal; the common case without escapes
// costs one allocation. Invalid UTF-8 (which encoding/json passes through)
// is replaced: these strings become label values, and Prometheus refuses a
// label value that is not UTF-8.
func unquote(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(b, '\\') < 0 {
		if !utf8.Valid(b) {
			return strings.ToValidUTF8(string(b[1:len(b)-1]), "\uFFFD"), true
		}
		return string(b[1 : len(b)-1]), true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}

// numberBytes returns the numeric text of a JSON number or of a string that
// holds one (surrounding blanks allowed); ok is false for anything else.
func numberBytes(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	if b[0] == '"' {
		if len(b) < 2 || bytes.IndexByte(b, '\\') >= 0 {
			return nil, false
		}
		b = bytes.TrimSpace(b[1 : len(b)-1])
		if len(b) == 0 {
			return nil, false
		}
	}
	if c := b[0]; c != '-' && c != '+' && c != '.' && (c < '0' || c > '9') {
		return nil, false
	}
	return b, true
}

// parseInt reads an integer, falling back to a float truncated toward zero;
// values that do not fit in int64 or are not numbers give 0.
func parseInt(b []byte) int64 {
	if i, ok := parseSmallInt(b); ok {
		return i
	}
	s := string(b)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || x >= math.MaxInt64 || x < math.MinInt64 {
		return 0
	}
	return int64(x)
}

// parseSmallInt is the allocation-free path for plain integers of up to 18
// digits, which is nearly every number NetBackup sends.
func parseSmallInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseUTCFast parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z" without allocating;
// anything else is left to time.Parse.
func parseUTCFast(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(p []byte) (int, bool) {
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(b[0:4])
	mon, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hh, ok4 := num(b[11:13])
	mm, ok5 := num(b[14:16])
	ss, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false
	}
	nsec := 0
	rest := b[19 : len(b)-1]
	if len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return time.Time{}, false
		}
		frac, ok := num(rest[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(rest) - 1; i < 9; i++ {
			frac *= 10
		}
		nsec = frac
	}
	t := time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, time.UTC)
	if t.Day() != day { // e.g. Feb 30 normalised by time.Date
		return time.Time{}, false
	}
	return t, true
}

// errorBody is the NetBackup error document, read leniently.
type errorBody struct {
	ErrorCode    lInt       `json:"errorCode"`
	ErrorMessage lString    `json:"errorMessage"`
	ErrorDetails lStringSet `json:"errorDetails"`
}

// lStringSet accepts an array of strings (other elements dropped) or a single string.
type lStringSet []string

func (l *lStringSet) UnmarshalJSON(b []byte) error {
	*l = nil
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		if s, ok := unquote(b); ok && s != "" {
			*l = []string{s}
		}
	case '[':
		var raw []json.RawMessage
		if json.Unmarshal(b, &raw) != nil {
			return nil
		}
		for _, r := range raw {
			var s lString
			_ = s.UnmarshalJSON(r)
			if s != "" {
				*l = append(*l, string(s))
			}
		}
	}
	return nil
}

// decodeErrorBody reports whether b held a NetBackup error document.
func decodeErrorBody(b []byte, eb *errorBody) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	var ute *json.UnmarshalTypeError
	if err := json.Unmarshal(b, eb); err != nil && !errors.As(err, &ute) {
		return false
	}
	return eb.ErrorCode != 0 || eb.ErrorMessage != "" || len(eb.ErrorDetails) > 0
}

// lObjects is an array of objects read leniently: an element that is not an
// object is dropped, an element with a field of the wrong kind keeps what did
// decode, and a value that is not an array is an empty list. It is for the
// small arrays nested in a record (a pool's disk volumes, a drive's paths),
// which are decoded whole.
type lObjects[T any] []T

func (l *lObjects[T]) UnmarshalJSON(b []byte) error {
	*l = nil
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	var raw []json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	var ute *json.UnmarshalTypeError
	for _, r := range raw {
		if len(r) == 0 || r[0] != '{' {
			continue
		}
		var v T
		if err := json.Unmarshal(r, &v); err != nil && !errors.As(err, &ute) {
			continue
		}
		*l = append(*l, v)
	}
	return nil
}

// optBool is a lenient bool that remembers whether it was present, for
// fields whose absence must not read as false (a media server's isMachineUp).
// Only a value that says true or false counts as present: a boolean, a
// number, or a string holding either; null, "n/a" or an object do not.
type optBool struct {
	v, set bool
}

func (o *optBool) UnmarshalJSON(b []byte) error {
	*o = optBool{}
	s := string(b)
	if uq, ok := unquote(b); ok {
		s = strings.TrimSpace(uq)
	}
	if v, err := strconv.ParseBool(s); err == nil {
		o.v, o.set = v, true
	} else if x, err := strconv.ParseFloat(s, 64); err == nil {
		o.v, o.set = x != 0, true
	}
	return nil
}

// decodeLenientBytes unmarshals b into v, ignoring fields of the wrong kind.
func decodeLenientBytes(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	var ute *json.UnmarshalTypeError
	if err != nil && errors.As(err, &ute) {
		return nil
	}
	return err
}

// describe turns an encoding/json decoder error (the walks of certificates and hosts, and the
// tests' reference page walk) into one that says where it broke. Reader errors (body cap,
// cancelled context) pass through unchanged for the caller to classify.
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
