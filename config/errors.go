package config

import (
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
