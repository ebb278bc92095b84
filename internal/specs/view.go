package specs

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Table is the committed table, read as each release's server would serve it: the release's own
// spec files, then the files its bundle lacks taken from an older release (borrow.go).
type Table struct {
	views []*view // oldest release first
}

// view is one release's operations, ready for matching requests.
type view struct {
	release Release
	byLen   map[int][]*op // by number of path segments
}

// op is an Operation with its path template split for matching and its media types parsed, with
// the version of a borrowed file read as the borrowing release's.
type op struct {
	Operation
	from     string // "11.0/storage.yaml" for a borrowed file, "" for the release's own
	segs     []segment
	query    map[string]*Param
	request  []mediaType
	response []mediaType
	errors   []mediaType
}

// segment is one '/'-separated part of a path template: a literal, a {parameter}, or a mix
// ("{name}.json") matched by a regular expression.
type segment struct {
	literal string
	param   bool
	re      *regexp.Regexp
}

func newTable(rels []Release) (*Table, error) {
	slices.SortFunc(rels, func(a, b Release) int { return compareVersions(a.Release, b.Release) })
	t := &Table{}
	for i := range rels {
		v := &view{release: rels[i], byLen: map[int][]*op{}}
		for j := range rels[i].Operations {
			if err := v.add(&rels[i].Operations[j], "", nil); err != nil {
				return nil, err
			}
		}
		t.views = append(t.views, v)
	}
	for i, v := range t.views {
		if err := v.borrow(t.views[:i]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Table) view(release string) *view {
	for _, v := range t.views {
		if v.release.Release == release {
			return v
		}
	}
	return nil
}

// add indexes o; donor is the release o is borrowed from (nil for the view's own).
func (v *view) add(o *Operation, from string, donor *Release) error {
	p := &op{Operation: *o, from: from, query: map[string]*Param{}}
	for i := range o.Query {
		p.query[o.Query[i].Name] = &o.Query[i]
	}
	for _, raw := range strings.Split(o.Path, "/")[1:] {
		s, err := parseSegment(raw)
		if err != nil {
			return fmt.Errorf("specs: %s %s: %w", v.release.Release, o.Path, err)
		}
		p.segs = append(p.segs, s)
	}
	mapVersion := func(types []string) []mediaType {
		out := make([]mediaType, 0, len(types))
		for _, s := range types {
			mt := parseMediaType(s)
			if donor != nil && mt.version == donor.APIVersion {
				mt.version = v.release.APIVersion
			}
			out = append(out, mt)
		}
		return out
	}
	p.request, p.response, p.errors = mapVersion(o.RequestTypes), mapVersion(o.ResponseTypes), mapVersion(o.ErrorTypes)
	v.byLen[len(p.segs)] = append(v.byLen[len(p.segs)], p)
	return nil
}

var paramInSegment = regexp.MustCompile(`\{[^{}/]+\}`)

func parseSegment(raw string) (segment, error) {
	if !strings.Contains(raw, "{") {
		return segment{literal: raw}, nil
	}
	if paramInSegment.FindString(raw) == raw {
		return segment{param: true}, nil
	}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range paramInSegment.FindAllStringIndex(raw, -1) {
		b.WriteString(regexp.QuoteMeta(raw[last:loc[0]]))
		b.WriteString(".+")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(raw[last:]) + "$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return segment{}, fmt.Errorf("segment %q: %w", raw, err)
	}
	return segment{re: re}, nil
}

func (s segment) matches(part string) bool {
	switch {
	case s.param:
		return part != ""
	case s.re != nil:
		return s.re.MatchString(part)
	}
	return s.literal == part
}

// rank orders templates matching the same path: at the first segment where they differ, a
// literal beats a mix, which beats a whole {parameter}.
func (s segment) rank() int {
	switch {
	case s.param:
		return 0
	case s.re != nil:
		return 1
	}
	return 2
}

// match returns the operations of the most specific template matching requestPath (the path
// below /netbackup, still escaped): its methods, own file first.
func (v *view) match(requestPath string) []*op {
	parts := strings.Split(requestPath, "/")
	if len(parts) < 2 || parts[0] != "" {
		return nil
	}
	parts = parts[1:]
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	var best []*op
	for _, o := range v.byLen[len(parts)] {
		if !o.matches(parts) {
			continue
		}
		switch c := compareTemplates(o, best); {
		case c > 0:
			best = []*op{o}
		case c == 0 && o.Path == best[0].Path:
			best = append(best, o)
		}
	}
	return best
}

func (o *op) matches(parts []string) bool {
	for i, s := range o.segs {
		if !s.matches(parts[i]) {
			return false
		}
	}
	return true
}

// compareTemplates is > 0 when o is more specific than best's template (or best is empty).
func compareTemplates(o *op, best []*op) int {
	if len(best) == 0 {
		return 1
	}
	for i, s := range o.segs {
		if d := s.rank() - best[0].segs[i].rank(); d != 0 {
			return d
		}
	}
	return 0
}
