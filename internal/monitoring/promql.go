// Package monitoring reads the repository's Grafana dashboards and Prometheus rule files, and
// finds the metric names their PromQL uses, so that tests can check them against what the
// exporter returns (a renamed metric then breaks the build, not an operator's dashboard).
package monitoring

import (
	"fmt"
	"slices"
	"strings"
)

// keywords are PromQL words that look like identifiers but are not metric names: binary
// operators and modifiers, aggregation operators (which may be followed by `by`/`without`
// rather than by a parenthesis), and number literals.
var keywords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "atan2": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
	"inf": true, "nan": true,
}

// labelLists are the keywords whose parenthesis holds label names, not an expression.
var labelLists = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// MetricNames returns the metric names an expression selects, sorted and without repeats. It is
// a tokenizer, not a parser: an identifier is a metric name unless it is a keyword, a function
// (followed by "("), a label name (inside {...} or a by/on/... list), or inside [...] (durations,
// subqueries). Strings, comments and Grafana variables ($x, ${x}, [[x]]) are skipped. A
// malformed expression (unclosed string or bracket) is an error.
func MetricNames(expr string) ([]string, error) {
	s := &scanner{src: expr}
	var names []string
	for {
		tok, err := s.next()
		if err != nil {
			return nil, fmt.Errorf("%w in %q", err, expr)
		}
		if tok == "" {
			break
		}
		if !isIdentStart(tok[0]) {
			continue
		}
		lower := strings.ToLower(tok)
		followedByParen := s.peekNonSpace() == '('
		switch {
		case labelLists[lower] && followedByParen:
			if err := s.skipGroup('(', ')'); err != nil {
				return nil, fmt.Errorf("%w in %q", err, expr)
			}
		case keywords[lower], followedByParen:
			// an operator, an aggregation or a function
		default:
			names = append(names, tok)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

type scanner struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (s *scanner) peekNonSpace() byte {
	for i := s.pos; i < len(s.src); i++ {
		if c := s.src[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// next returns the next identifier, or a one-character token for anything else worth a look;
// "" at the end. Selectors' braces, ranges' brackets, strings, numbers, comments and variables
// are consumed whole and never returned as identifiers.
func (s *scanner) next() (string, error) {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '#':
			for s.pos < len(s.src) && s.src[s.pos] != '\n' {
				s.pos++
			}
		case c == '"' || c == '\'' || c == '`':
			if err := s.skipString(c); err != nil {
				return "", err
			}
		case c == '{':
			if err := s.skipGroup('{', '}'); err != nil {
				return "", err
			}
		case c == '[':
			if err := s.skipGroup('[', ']'); err != nil {
				return "", err
			}
		case c == '}' || c == ']':
			return "", fmt.Errorf("unbalanced %q at offset %d", c, s.pos)
		case c == '$':
			s.skipVariable()
		case c >= '0' && c <= '9' || (c == '.' && s.pos+1 < len(s.src) && s.src[s.pos+1] >= '0' && s.src[s.pos+1] <= '9'):
			// numbers and durations: 0.9, 1e9, 0x1f, 6h, 1h30m
			for s.pos < len(s.src) && (isIdentChar(s.src[s.pos]) || s.src[s.pos] == '.') {
				s.pos++
			}
		case isIdentStart(c):
			start := s.pos
			for s.pos < len(s.src) && isIdentChar(s.src[s.pos]) {
				s.pos++
			}
			return s.src[start:s.pos], nil
		default:
			s.pos++
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return string(c), nil
			}
		}
	}
	return "", nil
}

// skipString consumes a quoted string starting at s.pos; backquoted strings have no escapes.
func (s *scanner) skipString(quote byte) error {
	start := s.pos
	s.pos++
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		s.pos++
		switch {
		case c == '\\' && quote != '`':
			s.pos++
		case c == quote:
			return nil
		}
	}
	return fmt.Errorf("unclosed string at offset %d", start)
}

// skipGroup consumes from the opening character at s.pos to its matching close, with strings
// and nested groups of the same kind inside.
func (s *scanner) skipGroup(open, close byte) error {
	start, depth := s.pos, 0
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch c {
		case '"', '\'', '`':
			if err := s.skipString(c); err != nil {
				return err
			}
			continue
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				s.pos++
				return nil
			}
		}
		s.pos++
	}
	return fmt.Errorf("unclosed %q at offset %d", open, start)
}

// skipVariable consumes a Grafana variable: $name, $__name or ${name...}.
func (s *scanner) skipVariable() {
	s.pos++
	if s.pos < len(s.src) && s.src[s.pos] == '{' {
		if end := strings.IndexByte(s.src[s.pos:], '}'); end >= 0 {
			s.pos += end + 1
			return
		}
	}
	for s.pos < len(s.src) && isIdentChar(s.src[s.pos]) {
		s.pos++
	}
}
