package nbu

import (
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"sync"
)

// scanner is a single-pass JSON tokenizer over a stream, for the decoders that only want a few
// fields of a large page: it validates everything it passes (as encoding/json does), but builds
// nothing. Token bytes are returned as slices of its buffer, valid until its next read, so that
// the caller converts only what it keeps.
type scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte of buf to look at
	off  int64 // stream offset of buf[0], for error messages
	rerr error // the reader's error, reported only once the buffered bytes are used up
	// plain says the last string read by str had no escape and no byte outside ASCII, for key
	// matching.
	plain bool
	// mark is the start of the token being read (-1: none): a refill keeps buf[mark:], so that
	// the token comes back whole however the body was cut into reads.
	mark   int
	open   []bool  // skip's stack of containers
	pooled *[]byte // where buf came from, for release
}

// scanBufSize is the read size: a few reads per 100-job page, little memory per reader.
const scanBufSize = 32 << 10

// maxDepth is encoding/json's nesting limit, counted like it from the value one Decode call
// would have been given; deeper input is malformed for both decoders alike.
const maxDepth = 10000

// errNoMore reports the end of the input where more was needed (the reader's error, or
// io.EOF, is in s.rerr).
var errNoMore = errors.New("unexpected end of input")

// syntaxError is malformed JSON at a stream offset.
type syntaxError struct {
	msg string
	off int64
}

func (e *syntaxError) Error() string { return e.msg }

// scanBufs keeps read buffers between walks: a steady-state probe reads one small page, and
// should not cost a fresh buffer each time.
var scanBufs = sync.Pool{New: func() any { b := make([]byte, 0, scanBufSize); return &b }}

// maxPooledBuf: a buffer grown for a huge token goes to the garbage collector, not the pool.
const maxPooledBuf = 4 * scanBufSize

func (s *scanner) reset(r io.Reader) {
	if s.buf == nil {
		s.pooled = scanBufs.Get().(*[]byte)
		s.buf = *s.pooled
	}
	s.r, s.buf, s.pos, s.off, s.rerr, s.mark = r, s.buf[:0], 0, 0, nil, -1
}

// release hands the buffer back once the walk is over; the scanner must not be used after.
func (s *scanner) release() {
	if s.pooled != nil && cap(s.buf) <= maxPooledBuf {
		*s.pooled = s.buf[:0]
		scanBufs.Put(s.pooled)
	}
	s.r, s.buf, s.pooled = nil, nil, nil
}

// offset is the stream offset of the next byte.
func (s *scanner) offset() int64 { return s.off + int64(s.pos) }

func (s *scanner) syntax(msg string) error { return &syntaxError{msg: msg, off: s.offset()} }

// fill reads more input after buf, dropping what is before mark (or pos) first. It returns
// false when nothing more came: the input ended, or the reader failed (s.rerr says which).
func (s *scanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	keep := s.pos
	if s.mark >= 0 {
		keep = s.mark
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:])
		s.buf = s.buf[:n]
		s.off += int64(keep)
		s.pos -= keep
		if s.mark >= 0 {
			s.mark -= keep
		}
	}
	if len(s.buf) == cap(s.buf) {
		// One token longer than the buffer: only a body cap bounds it, as with encoding/json.
		nb := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(nb, s.buf)
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.rerr = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

// blank skips whitespace and returns the next byte, not consumed. The common case, no
// whitespace at all (NetBackup sends compact JSON), is inlined at the call sites.
func (s *scanner) blank() (byte, error) {
	if s.pos < len(s.buf) && s.buf[s.pos] > ' ' {
		return s.buf[s.pos], nil
	}
	return s.blankSlow()
}

func (s *scanner) blankSlow() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			c := s.buf[s.pos]
			if c > ' ' || !isBlank(c) {
				return c, nil
			}
			s.pos++
		}
		if !s.fill() {
			return 0, errNoMore
		}
	}
}

// colon consumes the ':' after a member name.
func (s *scanner) colon() error {
	if s.pos < len(s.buf) && s.buf[s.pos] == ':' {
		s.pos++
		return nil
	}
	return s.expect(':', "after object key")
}

// expect consumes the next non-blank byte, which must be c.
func (s *scanner) expect(c byte, context string) error {
	got, err := s.blank()
	if err != nil {
		return err
	}
	if got != c {
		return s.syntax("invalid character " + quoteByte(got) + " " + context)
	}
	s.pos++
	return nil
}

// plainStringByte: string bytes that need no look (not a quote, a backslash or a control
// character; bytes of invalid UTF-8 pass, as in encoding/json).
var plainStringByte = func() (t [256]bool) {
	for i := range t {
		t[i] = i >= 0x20 && i != '"' && i != '\\'
	}
	return t
}()

// lookMask flags (top bit of the byte) the bytes of 8 string bytes that are a quote, a backslash
// or a control character, with the word-at-a-time zero-byte tests (bytes >= 0x80 never match),
// so that the plain stretches of a string, nearly all of a page, go 8 bytes a step.
func lookMask(x uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & high }
	return ((x - ones*0x20) & ^x & high) | zero(x^(ones*'"')) | zero(x^(ones*'\\'))
}

// str reads the string literal at pos (an opening quote) and returns it with its quotes; keep
// false skips it without keeping its bytes across refills.
func (s *scanner) str(keep bool) ([]byte, error) {
	if keep {
		s.mark = s.pos
	}
	s.pos++
	var high uint64 // the bytes passed, or-ed: any >= 0x80 sets its top bit
	escaped := false
	for {
		buf, i := s.buf, s.pos
		for i+8 <= len(buf) {
			x := binary.LittleEndian.Uint64(buf[i:])
			if m := lookMask(x); m != 0 {
				// The lowest flagged byte is the first to look at (the tests' borrows only
				// ever flag bytes above a true match).
				k := uint(bits.TrailingZeros64(m)) &^ 7
				high |= x & (1<<k - 1)
				i += int(k >> 3)
				goto look
			}
			high |= x
			i += 8
		}
		for i < len(buf) && plainStringByte[buf[i]] {
			high |= uint64(buf[i])
			i++
		}
	look:
		s.pos = i
		if i == len(buf) {
			if !s.fill() {
				s.mark = -1
				return nil, errNoMore
			}
			continue
		}
		switch c := buf[i]; c {
		case '"':
			s.pos++
			s.plain = !escaped && high&0x8080808080808080 == 0
			if !keep {
				return nil, nil
			}
			raw := s.buf[s.mark:s.pos]
			s.mark = -1
			return raw, nil
		case '\\':
			escaped = true
			if err := s.escape(); err != nil {
				s.mark = -1
				return nil, err
			}
		default:
			s.mark = -1
			return nil, s.syntax("invalid character " + quoteByte(c) + " in string literal")
		}
	}
}

// escape consumes one backslash escape.
func (s *scanner) escape() error {
	s.pos++
	c, err := s.byteAt()
	if err != nil {
		return err
	}
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		s.pos++
		for range 4 {
			h, err := s.byteAt()
			if err != nil {
				return err
			}
			if !isHex(h) {
				return s.syntax("invalid character " + quoteByte(h) + " in \\u hexadecimal character escape")
			}
			s.pos++
		}
		return nil
	}
	return s.syntax("invalid character " + quoteByte(c) + " in string escape code")
}

// byteAt returns the byte at pos, reading more if needed.
func (s *scanner) byteAt() (byte, error) {
	if s.pos == len(s.buf) && !s.fill() {
		return 0, errNoMore
	}
	return s.buf[s.pos], nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// Number grammar states: which ones a number may end in is numberFinal.
const (
	numSign    = iota // after '-': a digit must follow
	numZero           // "0": no more integer digits
	numInt            // integer digits
	numDot            // after '.': a digit must follow
	numFrac           // fraction digits
	numE              // after 'e': sign or digit
	numESign          // after the exponent's sign: a digit must follow
	numExp            // exponent digits
	numInvalid        // the byte does not continue the number
)

var numberFinal = [...]bool{numZero: true, numInt: true, numFrac: true, numExp: true}

func numberStep(st int, c byte) int {
	digit := '0' <= c && c <= '9'
	switch st {
	case numSign:
		if c == '0' {
			return numZero
		}
		if digit {
			return numInt
		}
	case numZero, numInt:
		switch {
		case digit && st == numInt:
			return numInt
		case c == '.':
			return numDot
		case c == 'e' || c == 'E':
			return numE
		}
	case numDot, numFrac:
		if digit {
			return numFrac
		}
		if st == numFrac && (c == 'e' || c == 'E') {
			return numE
		}
	case numE:
		if c == '+' || c == '-' {
			return numESign
		}
		if digit {
			return numExp
		}
	case numESign, numExp:
		if digit {
			return numExp
		}
	}
	return numInvalid
}

// number reads the number literal at pos (a '-' or a digit), which ends at the first byte that
// does not continue it, or at the end of the input.
func (s *scanner) number(keep bool) ([]byte, error) {
	if raw, ok := s.plainInteger(); ok {
		return raw, nil
	}
	if keep {
		s.mark = s.pos
	}
	st := numSign
	if c := s.buf[s.pos]; c != '-' {
		st = numberStep(numSign, c)
	}
	s.pos++
	for {
		for s.pos < len(s.buf) {
			next := numberStep(st, s.buf[s.pos])
			if next == numInvalid {
				return s.numberEnd(st, keep)
			}
			st = next
			s.pos++
		}
		if !s.fill() {
			if s.rerr == io.EOF {
				return s.numberEnd(st, keep)
			}
			s.mark = -1
			return nil, errNoMore
		}
	}
}

// plainInteger is number's fast path: an integer such as NetBackup sends for nearly every
// number, ended by a byte within the buffer that cannot continue it.
func (s *scanner) plainInteger() ([]byte, bool) {
	buf, i := s.buf, s.pos
	if buf[i] == '-' {
		i++
	}
	if i >= len(buf) || buf[i] < '1' || buf[i] > '9' {
		if i+1 < len(buf) && buf[i] == '0' && !continuesNumber(buf[i+1]) {
			raw := buf[s.pos : i+1]
			s.pos = i + 1
			return raw, true
		}
		return nil, false
	}
	for i++; i < len(buf) && '0' <= buf[i] && buf[i] <= '9'; i++ {
	}
	if i == len(buf) || continuesNumber(buf[i]) {
		return nil, false
	}
	raw := buf[s.pos:i]
	s.pos = i
	return raw, true
}

func continuesNumber(c byte) bool {
	return '0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'
}

func (s *scanner) numberEnd(st int, keep bool) ([]byte, error) {
	if !numberFinal[st] {
		s.mark = -1
		if s.pos == len(s.buf) {
			return nil, errNoMore
		}
		return nil, s.syntax("invalid character " + quoteByte(s.buf[s.pos]) + " in numeric literal")
	}
	if !keep {
		return nil, nil
	}
	raw := s.buf[s.mark:s.pos]
	s.mark = -1
	return raw, nil
}

// literal reads true, false or null, whose first byte is at pos; it returns the word.
func (s *scanner) literal() ([]byte, error) {
	word := litNull
	switch s.buf[s.pos] {
	case 't':
		word = litTrue
	case 'f':
		word = litFalse
	}
	for i := range len(word) {
		c, err := s.byteAt()
		if err != nil {
			return nil, err
		}
		if c != word[i] {
			return nil, s.syntax("invalid character " + quoteByte(c) + " in literal " + string(word))
		}
		s.pos++
	}
	return word, nil
}

var (
	litTrue  = []byte("true")
	litFalse = []byte("false")
	litNull  = []byte("null")
)

// composite stands for an object or array value where a scalar was wanted: the lenient field
// types give it their zero value, as they do for any object.
var composite = []byte("{}")

// scalar returns the raw bytes of the next value if it is a string, number or literal; an
// object or array is skipped (validated) and reported as composite. depth is the nesting the
// value sits at.
func (s *scanner) scalar(depth int) ([]byte, error) {
	c, err := s.blank()
	if err != nil {
		return nil, err
	}
	switch {
	case c == '"':
		return s.str(true)
	case c == '-' || '0' <= c && c <= '9':
		return s.number(true)
	case c == 't' || c == 'f' || c == 'n':
		return s.literal()
	case c == '{' || c == '[':
		return composite, s.skip(depth)
	}
	return nil, s.syntax("invalid character " + quoteByte(c) + " looking for beginning of value")
}

// skip consumes one value of any kind, validating it. depth is the nesting the value sits at.
func (s *scanner) skip(depth int) error {
	c, err := s.blank()
	if err != nil {
		return err
	}
	// Most skipped values are strings and numbers: straight to them.
	switch {
	case c == '"':
		_, err = s.str(false)
		return err
	case c == '-' || '0' <= c && c <= '9':
		_, err = s.number(false)
		return err
	}
	return s.skipNested(depth)
}

func (s *scanner) skipNested(depth int) error {
	// s.open holds, per container entered, whether it is an object; kept in the scanner so
	// that skipping allocates nothing.
	s.open = s.open[:0]
	for {
		// A value is expected here.
		c, err := s.blank()
		if err != nil {
			return err
		}
		switch {
		case c == '{' || c == '[':
			if depth+len(s.open)+1 > maxDepth {
				return s.syntax("exceeded max depth")
			}
			s.pos++
			closed, err := s.openContainer(c == '{')
			if err != nil {
				return err
			}
			if !closed {
				s.open = append(s.open, c == '{')
				continue
			}
		case c == '"':
			_, err = s.str(false)
		case c == '-' || '0' <= c && c <= '9':
			_, err = s.number(false)
		case c == 't' || c == 'f' || c == 'n':
			_, err = s.literal()
		default:
			err = s.syntax("invalid character " + quoteByte(c) + " looking for beginning of value")
		}
		if err != nil {
			return err
		}
		// After a value: close containers, or find the next value of the innermost one.
		if err := s.afterValue(); err != nil || len(s.open) == 0 {
			return err
		}
	}
}

// openContainer is called after a '{' or '[': it consumes an immediate close (closed true), or,
// in an object, the first key and its colon, leaving pos at the first value.
func (s *scanner) openContainer(object bool) (closed bool, err error) {
	c, err := s.blank()
	if err != nil {
		return false, err
	}
	if (object && c == '}') || (!object && c == ']') {
		s.pos++
		return true, nil
	}
	if object {
		return false, s.keyColon()
	}
	return false, nil
}

// keyColon consumes `"key":` in an object whose key is not wanted.
func (s *scanner) keyColon() error {
	c, err := s.blank()
	if err != nil {
		return err
	}
	if c != '"' {
		return s.syntax("invalid character " + quoteByte(c) + " looking for beginning of object key string")
	}
	if _, err := s.str(false); err != nil {
		return err
	}
	return s.expect(':', "after object key")
}

// afterValue consumes the closes that follow a value, and the comma (and next key) before the
// following one, leaving in s.open the containers still open.
func (s *scanner) afterValue() error {
	for len(s.open) > 0 {
		c, err := s.blank()
		if err != nil {
			return err
		}
		object := s.open[len(s.open)-1]
		switch {
		case c == ',':
			s.pos++
			if object {
				return s.keyColon()
			}
			return nil
		case object && c == '}', !object && c == ']':
			s.pos++
			s.open = s.open[:len(s.open)-1]
		case object:
			return s.syntax("invalid character " + quoteByte(c) + " after object key:value pair")
		default:
			return s.syntax("invalid character " + quoteByte(c) + " after array element")
		}
	}
	return nil
}

func quoteByte(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < 0x20 || c >= 0x7f:
		const hex = "0123456789abcdef"
		return `'\x` + string(hex[c>>4]) + string(hex[c&15]) + `'`
	}
	return "'" + string(c) + "'"
}
