package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// loadError is every error Load and Parse return, so each one names the file, the line, the module
// and the field in the same way: `modules.yml:7: module "default": field "timeout": ...`.
type loadError struct {
	file   string
	line   int    // 0 when YAML gave no position
	module string // "" when the error is not about one module
	field  string // "" when the error is not about one field
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
	if e.field != "" {
		fmt.Fprintf(&b, "field %q: ", e.field)
	}
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *loadError) Unwrap() error { return e.err }

// decoder walks yaml.Nodes by hand rather than using Node.Decode, because Node.Decode ignores
// KnownFields and loses the positions we want in error messages. It remembers where each field
// was set so validation, which runs after decoding, can still point at the right line.
type decoder struct {
	file   string
	module string
	lines  map[string]int   // dotted field path -> line of its key
	elems  map[string][]int // dotted list field path -> line of each element
	// merged remembers what each merge source expanded to: anchors that merge an anchor several
	// times, nested a few levels deep, would otherwise take exponential time to expand.
	merged map[*yaml.Node][]pair
	// mappings counts the mappings walked, a hard stop for whatever the cache does not catch.
	mappings int
}

// maxMappings bounds the mappings one module (or the modules list) may take to walk, merges
// included; a real module has a handful.
const maxMappings = 10000

func newDecoder(file, module string) *decoder {
	return &decoder{file: file, module: module, lines: map[string]int{}, elems: map[string][]int{}, merged: map[*yaml.Node][]pair{}}
}

func (d *decoder) errAt(line int, field string, err error) error {
	return &loadError{file: d.file, line: line, module: d.module, field: field, err: err}
}

// lineOf falls back to fallback for fields that were never written, i.e. still hold defaults.
func (d *decoder) lineOf(field string, fallback int) int {
	if l, ok := d.lines[field]; ok {
		return l
	}
	return fallback
}

var durationType = reflect.TypeOf(model.Duration(0))

// decodeStruct fills the struct v from mapping n. Keys not named by v's yaml tags are errors. A
// null n leaves v as it is, so an empty section keeps its defaults.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errAt(n.Line, path, fmt.Errorf("want a mapping, got %s", describe(n)))
	}
	fields := yamlFields(v.Type())
	pairs, err := d.mappingPairs(n, func(key string, first int) error {
		return fmt.Errorf("field %q set twice (first at line %d)", joinPath(path, key), first)
	})
	if err != nil {
		return err
	}
	for _, p := range pairs {
		fp := joinPath(path, p.key.Value)
		idx, ok := fields[p.key.Value]
		if !ok || p.key.Kind != yaml.ScalarNode {
			return d.errAt(p.key.Line, "", fmt.Errorf("unknown field %q", fp))
		}
		d.lines[fp] = p.key.Line
		if err := d.decodeValue(p.value, v.Field(idx), fp); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue handles the handful of kinds the schema uses itself, so their errors read well; it
// hands anything else (tls_config's min_version) to the type's own UnmarshalYAML.
func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, path string) error {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	switch {
	case v.Type() == durationType:
		s, err := d.scalar(n, path)
		if err != nil {
			return err
		}
		// Negative values parse here so validation can say "must be greater than 0" instead.
		dur, err := model.ParseDurationAllowNegative(s)
		if err != nil {
			return d.errAt(n.Line, path, fmt.Errorf("invalid duration %q (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)", s))
		}
		v.SetInt(int64(dur))
	case v.Kind() == reflect.Struct:
		return d.decodeStruct(n, v, path)
	case v.Kind() == reflect.String:
		// The scalar's text as written: api_version 10.0 must not become "10" via a float.
		s, err := d.scalar(n, path)
		if err != nil {
			return err
		}
		v.SetString(s)
	case v.Kind() == reflect.Int:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			return d.errAt(n.Line, path, fmt.Errorf("want an integer, got %s", describe(n)))
		}
		var i int
		if err := n.Decode(&i); err != nil {
			return d.errAt(n.Line, path, fmt.Errorf("want an integer, got %s", describe(n)))
		}
		v.SetInt(int64(i))
	case v.Kind() == reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return d.errAt(n.Line, path, fmt.Errorf("want true or false, got %s", describe(n)))
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return d.errAt(n.Line, path, fmt.Errorf("want true or false, got %s", describe(n)))
		}
		v.SetBool(b)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		if n.Kind != yaml.SequenceNode {
			return d.errAt(n.Line, path, fmt.Errorf("want a list, got %s", describe(n)))
		}
		// A fresh slice every time: the default's backing array must never be written through.
		out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
		lines := make([]int, 0, len(n.Content))
		for _, e := range n.Content {
			e = resolve(e)
			s, err := d.scalar(e, path)
			if err != nil {
				return err
			}
			out = reflect.Append(out, reflect.ValueOf(s).Convert(v.Type().Elem()))
			lines = append(lines, e.Line)
		}
		v.Set(out)
		d.elems[path] = lines
	default:
		if err := n.Decode(v.Addr().Interface()); err != nil {
			return d.errAt(n.Line, path, cleanYAMLError(err))
		}
	}
	return nil
}

func (d *decoder) scalar(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.errAt(n.Line, path, fmt.Errorf("want a single value, got %s", describe(n)))
	}
	if isNull(n) {
		return "", nil
	}
	return n.Value, nil
}

type pair struct{ key, value *yaml.Node }

// mappingPairs lists n's key/value pairs in file order with YAML merge keys (<<: *anchor)
// expanded, so modules can share settings through anchors. Explicit keys win over merged ones and
// earlier merge sources over later ones, as the merge-key spec says. A key written twice is an
// error worded by dup; yaml.v3 does not catch that when parsing into a Node.
func (d *decoder) mappingPairs(n *yaml.Node, dup func(key string, first int) error) ([]pair, error) {
	if d.mappings++; d.mappings > maxMappings {
		return nil, d.errAt(n.Line, "", fmt.Errorf("more than %d mappings to walk: merge keys expand too far", maxMappings))
	}
	var explicit, merged []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			sources := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				sources = v.Content
			}
			for _, s := range sources {
				s = resolve(s)
				if s.Kind != yaml.MappingNode {
					return nil, d.errAt(k.Line, "", fmt.Errorf("<< must refer to a mapping or a list of mappings, got %s", describe(s)))
				}
				sub, ok := d.merged[s]
				if !ok {
					var err error
					if sub, err = d.mappingPairs(s, dup); err != nil {
						return nil, err
					}
					d.merged[s] = sub
				}
				merged = append(merged, sub...)
			}
			continue
		}
		if first, ok := seen[k.Value]; ok {
			return nil, d.errAt(k.Line, "", dup(k.Value, first))
		}
		seen[k.Value] = k.Line
		explicit = append(explicit, pair{k, v})
	}
	out := explicit
	for _, p := range merged {
		if _, ok := seen[p.key.Value]; ok {
			continue
		}
		seen[p.key.Value] = p.key.Line
		out = append(out, p)
	}
	return out, nil
}

// yamlFields maps the yaml key of each settable field of struct type t to its index, which makes
// the struct tags the single source of truth for the allowed keys.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		fields[name] = i
	}
	return fields
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// cleanYAMLError drops yaml.v3's "yaml: unmarshal errors:\n  line N:" framing, since loadError
// already carries the position.
func cleanYAMLError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		if _, rest, ok := strings.Cut(m, ": "); ok && strings.HasPrefix(m, "line ") {
			m = rest
		}
		msgs = append(msgs, m)
	}
	return errors.New(strings.Join(msgs, "; "))
}
