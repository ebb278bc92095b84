package config

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// loadError is every error Load and Parse return, so each one names the file, the line when there
// is one, the module and the key path the same way:
// `modules.yml:5: module "prod": jobs.lookback: must be greater than 0, got 0s`.
type loadError struct {
	file   string
	line   int    // 0 when there is no line to give
	module string // "" when the error is not about one module
	path   string // the key path, "" when the error is about no single key
	err    error
}

func (e *loadError) Error() string {
	var b strings.Builder
	b.WriteString(e.file)
	if e.line > 0 {
		fmt.Fprintf(&b, ":%d", e.line)
	}
	b.WriteString(": ")
	if e.module != "" {
		fmt.Fprintf(&b, "module %q: ", e.module)
	}
	if e.path != "" {
		b.WriteString(quoteUnlessPlain(e.path) + ": ")
	}
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *loadError) Unwrap() error { return e.err }

// keyError is an error about the key at path; the loader adds the file, the module and the line.
func keyError(path, format string, args ...any) error {
	return &loadError{path: path, err: fmt.Errorf(format, args...)}
}

// quoteUnlessPlain quotes a key path that holds more than the characters of the schema's own
// keys: an unknown key is whatever the file says, and an error must print it unambiguously.
func quoteUnlessPlain(path string) string {
	if strings.ContainsFunc(path, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.')
	}) {
		return strconv.Quote(path)
	}
	return path
}

// decodeError turns an error of decodeFile into a loadError naming the line, the module and the
// key path, found in data's node tree from the line yaml.v3 gives. Of several errors (yaml.v3
// reports every one), the one of the first module by name is kept.
func decodeError(data []byte, err error) *loadError {
	var le *loadError
	var ne *nodeError
	var te *yaml.TypeError
	switch {
	case errors.As(err, &le):
		return le
	case errors.As(err, &ne):
		s := &site{mark: mark{line: ne.line, column: ne.column}}
		locate(parseTree(data), s)
		return s.loadError(unprefixed(ne.err))
	case errors.As(err, &te) && len(te.Errors) > 0:
		sites := make([]*site, len(te.Errors))
		msgs := make([]error, len(te.Errors))
		for i, msg := range te.Errors {
			sites[i], msgs[i] = typeErrorSite(msg)
		}
		locate(parseTree(data), sites...)
		errs := make([]*loadError, len(sites))
		for i, s := range sites {
			errs[i] = s.loadError(msgs[i])
		}
		return slices.MinFunc(errs, func(a, b *loadError) int { return strings.Compare(a.module, b.module) })
	}
	return &loadError{err: fmt.Errorf("invalid YAML: %w", unprefixed(err))}
}

// yaml.v3's messages, and ours (typeError), which have a column after the line.
var (
	atLine       = regexp.MustCompile(`^line (\d+): (?:column (\d+): )?`)
	unknownField = regexp.MustCompile(`(?s)^field (.*) not found in type `)
	duplicateKey = regexp.MustCompile(`^mapping key (".*") already defined at line \d+$`)
	cannotDecode = regexp.MustCompile(`(?s)^cannot unmarshal (.*) into `)
)

// typeErrorSite reads one of the messages of a yaml.TypeError: where to look for what it is about,
// and what to say. KnownFields's "field x not found in type config.plain" names a Go type: it
// becomes "unknown key" at the key's path; a key written twice is reported at its mapping's path.
func typeErrorSite(msg string) (*site, error) {
	s := &site{}
	if m := atLine.FindStringSubmatch(msg); m != nil {
		s.line, _ = strconv.Atoi(m[1])
		s.column, _ = strconv.Atoi(m[2])
		msg = msg[len(m[0]):]
	}
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		s.key = m[1]
		return s, errors.New("unknown key")
	}
	if m := duplicateKey.FindStringSubmatch(msg); m != nil {
		s.key, _ = strconv.Unquote(m[1])
		s.parent = true
	} else if m := cannotDecode.FindStringSubmatch(msg); m != nil && s.column == 0 {
		s.desc = m[1]
	}
	return s, errors.New(msg)
}

// unprefixed is err without yaml.v3's "yaml: " prefix.
func unprefixed(err error) error {
	if msg, ok := strings.CutPrefix(err.Error(), "yaml: "); ok {
		return errors.New(msg)
	}
	return err
}

// inModule completes err, an error about module, with the file and the line of the key path it
// names, read from data's node tree.
func inModule(file string, data []byte, module string, err error) error {
	var le *loadError
	if !errors.As(err, &le) {
		le = &loadError{err: err}
	}
	le.file, le.module = file, module
	if module != "" && le.line == 0 {
		le.line = lineOf(parseTree(data), module, le.path)
	}
	return le
}

// What follows finds where an error is in the file's node tree, parsed again only when loading
// failed. It walks the text as written: aliases are not followed, so no anchor is expanded.

// parseTree is the node tree of data's first document; empty if it does not parse.
func parseTree(data []byte) *yaml.Node {
	var doc yaml.Node
	_ = yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc)
	return &doc
}

// mark is what an error says of the node it is about: its line, and either the name of a key
// written there, or the column of a value (our errors), or yaml.v3's description of the value
// ("!!str `abc`", "!!seq"), or nothing (then it is the deepest value on the line).
type mark struct {
	line, column int
	key, desc    string
}

// site is where an error is: its mark and, once located, the keys leading there from the root
// (["modules", "prod", "jobs", "lookback"]).
type site struct {
	mark
	parent bool // the error is about the mapping that holds the key
	path   []string
	found  bool
}

// locate finds every site in one walk of doc: a node is looked up by each mark it answers to.
func locate(doc *yaml.Node, sites ...*site) {
	byMark := map[mark][]*site{}
	deepest := map[int][]string{}
	for _, s := range sites {
		byMark[s.mark] = append(byMark[s.mark], s)
		deepest[s.line] = nil
	}
	walk(doc, nil, func(n *yaml.Node, path []string, isKey bool) {
		// A key may be a list or a mapping, that yaml.v3 describes as a value.
		marks := []mark{{line: n.Line, key: n.Value}, {line: n.Line, desc: describe(n)}}
		if !isKey {
			marks[0] = mark{line: n.Line, column: n.Column}
			if d, ok := deepest[n.Line]; ok && (d == nil || len(path) > len(d)) {
				deepest[n.Line] = path
			}
		}
		for _, m := range marks {
			for _, s := range byMark[m] {
				s.path, s.found = path, true
			}
			delete(byMark, m)
		}
	})
	for _, s := range sites {
		if !s.found {
			s.path = deepest[s.line]
		}
	}
}

// describe is how yaml.v3 names a value it cannot decode: its tag, and for a scalar its text, cut
// to 7 bytes and "..." past 10.
func describe(n *yaml.Node) string {
	tag := n.ShortTag()
	if tag == "!!seq" || tag == "!!map" {
		return tag
	}
	if len(n.Value) > 10 {
		return tag + " `" + n.Value[:7] + "...`"
	}
	return tag + " `" + n.Value + "`"
}

// walk visits n and the nodes written under it in document order, with the keys leading to each;
// a key is visited with itself at the end of its path.
func walk(n *yaml.Node, path []string, visit func(n *yaml.Node, path []string, isKey bool)) {
	visit(n, path, false)
	if n.Kind != yaml.MappingNode {
		for _, c := range n.Content {
			walk(c, path, visit)
		}
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		p := append(path[:len(path):len(path)], n.Content[i].Value)
		visit(n.Content[i], p, true)
		walk(n.Content[i+1], p, visit)
	}
}

// loadError says msg at the site: a path under modules names a module and a key path in it.
func (s *site) loadError(err error) *loadError {
	path := s.path
	if s.parent && len(path) > 0 {
		path = path[:len(path)-1]
	}
	le := &loadError{line: s.line, err: err}
	if len(path) >= 2 && path[0] == "modules" {
		le.module, path = path[1], path[2:]
	}
	le.path = strings.Join(path, ".")
	return le
}

// lineOf is the line of the value that path (keys joined by dots) names in module, merge keys and
// aliases followed; if it is not written, that of the nearest key around it that is, else the
// module's. 0 for a module without a value.
func lineOf(doc *yaml.Node, module, path string) int {
	n := lookup(lookup(doc, "modules"), module)
	if n == nil || n.ShortTag() == "!!null" {
		return 0
	}
	line := n.Line
	if path == "" {
		return line
	}
	for key := range strings.SplitSeq(path, ".") {
		if n = lookup(n, key); n == nil {
			break
		}
		line = n.Line
	}
	return line
}

// lookup is the value of key in mapping m as yaml.v3 decodes it: m's own key, else the first of
// its merge sources that has it; nil if none does. Each mapping is searched once, so that anchors
// merged many times over cost no more than their text.
func lookup(m *yaml.Node, key string) *yaml.Node {
	return lookupIn(m, key, map[*yaml.Node]bool{})
}

func lookupIn(m *yaml.Node, key string, seen map[*yaml.Node]bool) *yaml.Node {
	m = target(m)
	if m == nil || m.Kind != yaml.MappingNode || seen[m] {
		return nil
	}
	seen[m] = true
	var sources []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			sources = []*yaml.Node{v}
			if r := target(v); r != nil && r.Kind == yaml.SequenceNode {
				sources = r.Content
			}
		case k.Value == key:
			return v
		}
	}
	for _, src := range sources {
		if v := lookupIn(src, key, seen); v != nil {
			return v
		}
	}
	return nil
}

// target is the node n stands for: the root of a document, the target of an alias.
func target(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode && len(n.Content) == 1) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else {
			n = n.Content[0]
		}
	}
	return n
}
