package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// decodeFile decodes the one YAML document in data into a Config. yaml.v3 is strict: KnownFields
// refuses unknown keys at every depth, a key written twice is refused, merge keys are expanded (the
// keys a mapping writes win, then its first sources) and aliases are held to its budget. An
// empty document has no modules.
func decodeFile(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	cfg := &Config{}
	if err := decode(dec, cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &loadError{line: extra.Line, err: errors.New("only one YAML document is allowed")}
	case !errors.Is(err, io.EOF):
		return nil, err
	}
	return cfg, nil
}

// decode is dec.Decode(v), but for one input it turns yaml.v3's panic into an error: a list or a
// mapping as a key where a merge key applies has yaml.v3 3.0.1 hash an unhashable value
// (go-yaml/yaml#895, #932). Any other panic is not ours to hide.
func decode(dec *yaml.Decoder, v any) (err error) {
	defer func() {
		r := recover()
		if re, ok := r.(runtime.Error); ok && strings.Contains(re.Error(), "unhashable") {
			err = errors.New("a list or a mapping is used as a key where a merge key (<<) applies")
		} else if r != nil {
			panic(r)
		}
	}()
	return dec.Decode(v)
}

// UnmarshalYAML decodes a module onto its defaults, so that the keys it leaves out keep them. It
// has the func(any) error form: the unmarshal it is given is the file's decoder, KnownFields on
// (the *yaml.Node form would decode with a fresh decoder that accepts unknown keys).
func (m *Module) UnmarshalYAML(unmarshal func(any) error) error {
	*m = moduleDefaults()
	// No written duration is negative: a token_ttl still negative after decoding was not written.
	m.TokenTTL = -1
	var node nodeOf
	if err := unmarshal(&node); err != nil {
		return err
	}
	if node.Kind != yaml.MappingNode {
		return typeError(node.Node, "want a mapping of settings, got %s", node.ShortTag())
	}
	type plain Module
	if err := unmarshal((*plain)(m)); err != nil {
		return positioned(err, node.Node)
	}
	m.tokenTTLWritten = m.TokenTTL >= 0
	m.TokenTTL = max(m.TokenTTL, 0)
	return nil
}

// typeError is an error about n in the form yaml.v3 gives its own, "line 7: ...", with the column
// after the line for finding n among the values on that line. yaml.v3 goes on decoding after a
// TypeError, so that a load reports the error of the first module by name.
func typeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: ", n.Line, n.Column) + fmt.Sprintf(format, args...)}}
}

// nodeOf holds the node of a value, to say where it is: the *yaml.Node form of UnmarshalYAML is
// handed it, and decodes nothing.
type nodeOf struct{ *yaml.Node }

func (n *nodeOf) UnmarshalYAML(node *yaml.Node) error {
	n.Node = node
	return nil
}

// nodeError is an error about the value written at line and column.
type nodeError struct {
	line, column int
	err          error
}

func (e *nodeError) Error() string { return e.err.Error() }
func (e *nodeError) Unwrap() error { return e.err }

// positioned gives a position to an error yaml.v3 reports without a line (its alias budget, a merge
// key of a scalar, promconfig's checks of tls_config): that of the module's tls_config when
// decoding it alone fails the same way, else the module's. Errors with a line keep theirs.
func positioned(err error, module *yaml.Node) error {
	if _, ok := errors.AsType[*yaml.TypeError](err); ok {
		return err
	}
	at := module
	if tls := lookup(module, "tls_config"); tls != nil {
		if terr := tls.Decode(new(promconfig.TLSConfig)); terr != nil && terr.Error() == err.Error() {
			at = tls
		}
	}
	return &nodeError{line: at.Line, column: at.Column, err: err}
}

// Duration is a model.Duration (30s, 1h, 7d) whose errors in modules.yml carry their line. It is
// a scalar: the fresh decoder of the *yaml.Node form has no keys to be lax about.
type Duration model.Duration

func (d Duration) String() string { return model.Duration(d).String() }

func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := model.ParseDuration(s)
	if err != nil {
		return typeError(n, "%v (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)", err)
	}
	*d = Duration(v)
	return nil
}

// Secret is an API key or a password: a string in modules.yml, marshalled as promconfig.Secret is
// (<secret>). Its own decoding makes a list in its place "cannot unmarshal !!seq into string",
// where promconfig.Secret's says "into config.plain".
type Secret string

func (s Secret) MarshalYAML() (any, error) { return promconfig.Secret(s).MarshalYAML() }

func (s Secret) MarshalJSON() ([]byte, error) { return promconfig.Secret(s).MarshalJSON() }

func (s *Secret) UnmarshalYAML(n *yaml.Node) error { return n.Decode((*string)(s)) }
