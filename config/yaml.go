package config

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// loadError is every error Load and Parse return, so each one names the file, the line when YAML
// gave one, the module and the key path the same way:
// `modules.yml: module "prod": jobs.lookback: must be greater than 0, got 0s`.
type loadError struct {
	file   string
	line   int    // 0 when YAML gave no position
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

// keyError is an error about the key at path; the loader adds the file and the module.
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

// value is a YAML value not decoded yet: the function yaml.v3 hands to an UnmarshalYAML, which
// decodes the value's node (tags, aliases and merge keys resolved, KnownFields on, within the
// decoder's alias budget) into whatever it is given. It stays usable after Decode returns: it holds
// its node and its decoder. Keeping it lets a mapping be decoded key by key onto defaults, so that
// every error, yaml.v3's own included, names its key path.
type value func(any) error

func (v *value) UnmarshalYAML(decode func(any) error) error {
	*v = decode
	return nil
}

// mapping is a YAML mapping whose values are decoded later. yaml.v3 builds it: a key written twice
// is refused, merge keys are expanded (keys written in the mapping win, then earlier sources), a
// null value is a nil value.
type mapping map[string]value

// position is the line a value is written on. The yaml.Node form of UnmarshalYAML is handed the
// node itself; only its line is kept (decoding that node would start a decoder without KnownFields).
type position int

func (p *position) UnmarshalYAML(n *yaml.Node) error {
	*p = position(n.Line)
	return nil
}

// lineOf is the line of a value, 0 for a null one.
func lineOf(decode value) int {
	var p position
	if decode == nil || decode(&p) != nil {
		return 0
	}
	return int(p)
}

// decodeStruct decodes keys into the struct v, whose yaml tags name the keys it accepts. A null
// value keeps the field's default; a field that is a struct of ours is decoded the same way, so an
// error names the whole key path; any other field is yaml.v3's to decode. written collects the
// paths the file sets, with the line of each value.
func decodeStruct(keys mapping, v reflect.Value, path string, written map[string]int) error {
	fields := yamlFields(v.Type())
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		p, decode := joinPath(path, key), keys[key]
		i, ok := fields[key]
		if !ok {
			return &loadError{path: p, line: lineOf(decode), err: errors.New("unknown key")}
		}
		if decode == nil {
			continue
		}
		written[p] = lineOf(decode)
		if err := decodeField(decode, v.Field(i), p, written); err != nil {
			return err
		}
	}
	return nil
}

// atLine gives err, if YAML gave it no line, the line of its key path as written (or of the
// nearest section written around it), else fallback.
func atLine(err error, written map[string]int, fallback int) error {
	var le *loadError
	if !errors.As(err, &le) || le.line != 0 {
		return err
	}
	le.line = fallback
	for p := le.path; p != ""; p = p[:max(strings.LastIndex(p, "."), 0)] {
		if l := written[p]; l > 0 {
			le.line = l
			break
		}
	}
	return err
}

func decodeField(decode value, f reflect.Value, path string, written map[string]int) error {
	if f.Kind() == reflect.String {
		// Into a string, not through promconfig.Secret's own decoder, whose errors name its type
		// "config.plain".
		var s string
		err := decode(&s)
		f.SetString(s)
		return yamlError(path, err)
	}
	if !isSection(f) {
		err := yamlError(path, decode(f.Addr().Interface()))
		if le := (*loadError)(nil); f.Type() == durationType && errors.As(err, &le) && le.line == 0 {
			le.err = fmt.Errorf("%w (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)", le.err)
		}
		return err
	}
	var keys mapping
	if err := decode(&keys); err != nil {
		return yamlError(path, err)
	}
	return decodeStruct(keys, f, path, written)
}

var durationType = reflect.TypeFor[model.Duration]()

type obsoleteUnmarshaler interface {
	UnmarshalYAML(unmarshal func(any) error) error
}

// isSection is true for a settings struct of ours (jobs, storage...); a type that decodes itself
// (tls_config) is left to yaml.v3 whole, KnownFields refusing its unknown keys.
func isSection(f reflect.Value) bool {
	if f.Kind() != reflect.Struct {
		return false
	}
	switch f.Addr().Interface().(type) {
	case yaml.Unmarshaler, obsoleteUnmarshaler:
		return false
	}
	return true
}

// yamlFields maps the yaml key of each field of struct type t to its index: the struct tags are
// the one list of the keys a section accepts.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = i
	}
	return fields
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// yamlError puts a decoding error of yaml.v3's at path, with the line yaml.v3 gives moved to the
// front: `modules.yml:7: module "m": jobs.page_size: cannot unmarshal !!str `abc` into int`.
func yamlError(path string, err error) error {
	if err == nil {
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		if msg, ok := strings.CutPrefix(err.Error(), "yaml: "); ok {
			err = errors.New(msg)
		}
		return &loadError{path: path, err: err}
	}
	line, first := splitLine(te.Errors[0])
	// KnownFields's "field x not found in type config.plain" names a Go type: name the key path.
	if key, ok := unknownField(first); ok && len(te.Errors) == 1 {
		return &loadError{path: joinPath(path, key), line: line, err: errors.New("unknown key")}
	}
	msgs := append([]string{first}, te.Errors[1:]...)
	return &loadError{path: path, line: line, err: errors.New(strings.Join(msgs, "; "))}
}

func unknownField(msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, "field ")
	key, _, found := strings.Cut(rest, " not found in type ")
	return key, ok && found
}

// splitLine splits yaml.v3's "line 7: ..." into 7 and the rest.
func splitLine(msg string) (int, string) {
	head, rest, ok := strings.Cut(msg, ": ")
	n, err := strconv.Atoi(strings.TrimPrefix(head, "line "))
	if !ok || err != nil || !strings.HasPrefix(head, "line ") {
		return 0, msg
	}
	return n, rest
}
