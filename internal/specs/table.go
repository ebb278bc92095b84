package specs

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
)

// Param is a query parameter an operation declares.
type Param struct {
	Name     string   `json:"name"`
	Type     string   `json:"type,omitempty"` // integer, number, string, boolean; "" when the spec gives none
	Minimum  *float64 `json:"minimum,omitempty"`
	Maximum  *float64 `json:"maximum,omitempty"`
	Enum     []any    `json:"enum,omitempty"`
	Required bool     `json:"required,omitempty"`
	// Ref is the reference the parameter was named from when the file it points into is not in
	// the bundle (./common.yaml): see the README for the names given to those.
	Ref string `json:"ref,omitempty"`
	// Filterable are, for a filter parameter, the attributes and operators the table of its
	// description lists ("Filtering is supported on the following attributes").
	Filterable []FilterAttr `json:"filterable,omitempty"`
	// Sortable are, for a sort parameter, the attributes the table of its description lists.
	Sortable []string `json:"sortable,omitempty"`
}

// FilterAttr is a row of a filter parameter's table: an attribute and its operators.
type FilterAttr struct {
	Name string   `json:"name"`
	Ops  []string `json:"ops,omitempty"`
}

// Operation is one path and method of a spec file, reduced to what a request is checked against.
type Operation struct {
	File   string  `json:"file"`
	Method string  `json:"method"`
	Path   string  `json:"path"`
	Query  []Param `json:"query,omitempty"`
	// RequestTypes are the media types of the request body; none = the operation takes no body.
	RequestTypes []string `json:"requestTypes,omitempty"`
	// ResponseTypes are the media types of the 2xx responses: what a request may Accept.
	ResponseTypes []string `json:"responseTypes,omitempty"`
	// ErrorTypes are the media types of the other responses the operation gives inline (those
	// that point into ./common.yaml, absent from the bundle, are not followed).
	ErrorTypes []string `json:"errorTypes,omitempty"`
}

// Release is the table of one release folder of the specs.
type Release struct {
	Release    string      `json:"release"`
	APIVersion string      `json:"apiVersion"`
	Files      []string    `json:"files"`
	Operations []Operation `json:"operations"`
}

// Dir is the table's directory in this package; the generator writes one <release>.json there.
const Dir = "endpoints"

//go:embed endpoints
var tableFS embed.FS

// Load returns the committed table (one file per release), read once: the table never changes.
func Load() (*Table, error) { return loadOnce() }

var loadOnce = sync.OnceValues(load)

func load() (*Table, error) {
	var rels []Release
	names, err := fs.Glob(tableFS, Dir+"/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		b, err := tableFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var r Release
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("specs: decoding %s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); r.Release != want {
			return nil, fmt.Errorf("specs: %s holds release %q", name, r.Release)
		}
		rels = append(rels, r)
	}
	return newTable(rels)
}

// Releases returns the release folders the table has, oldest first.
func (t *Table) Releases() []string {
	out := make([]string, 0, len(t.views))
	for _, v := range t.views {
		out = append(out, v.release.Release)
	}
	return out
}

// APIVersion returns the API version release serves ("" for a release the table lacks).
func (t *Table) APIVersion(release string) string {
	if v := t.view(release); v != nil {
		return v.release.APIVersion
	}
	return ""
}

// Has reports whether release's spec (with what it borrows) has method on a path matching
// requestPath (below /netbackup).
func (t *Table) Has(release, method, requestPath string) bool {
	v := t.view(release)
	if v == nil {
		return false
	}
	ops := v.match(requestPath)
	return slices.ContainsFunc(ops, func(o *op) bool { return o.Method == method })
}

// ReleasesWith returns the releases whose spec (with what they borrow) has method on a path
// matching requestPath (below /netbackup), oldest first.
func (t *Table) ReleasesWith(method, requestPath string) []string {
	var out []string
	for _, v := range t.views {
		if t.Has(v.release.Release, method, requestPath) {
			out = append(out, v.release.Release)
		}
	}
	return out
}

// Paths returns every path template with method in any release's spec, sorted.
func (t *Table) Paths(method string) []string {
	seen := map[string]bool{}
	for _, v := range t.views {
		for _, ops := range v.byLen {
			for _, o := range ops {
				if o.Method == method {
					seen[o.Path] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
