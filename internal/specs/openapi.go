package specs

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The parts of an OpenAPI 3.0 document the table is made of.
type (
	document struct {
		Paths      map[string]pathItem `yaml:"paths"`
		Components struct {
			Parameters    map[string]parameter `yaml:"parameters"`
			RequestBodies map[string]content   `yaml:"requestBodies"`
		} `yaml:"components"`
	}
	pathItem struct {
		Parameters []parameter `yaml:"parameters"`
		Get        *operation  `yaml:"get"`
		Put        *operation  `yaml:"put"`
		Post       *operation  `yaml:"post"`
		Delete     *operation  `yaml:"delete"`
		Patch      *operation  `yaml:"patch"`
		Head       *operation  `yaml:"head"`
		Options    *operation  `yaml:"options"`
	}
	operation struct {
		Parameters  []parameter        `yaml:"parameters"`
		RequestBody *content           `yaml:"requestBody"`
		Responses   map[string]content `yaml:"responses"`
	}
	parameter struct {
		Ref         string `yaml:"$ref"`
		Name        string `yaml:"name"`
		In          string `yaml:"in"`
		Required    bool   `yaml:"required"`
		Description string `yaml:"description"`
		Schema      struct {
			Type    string   `yaml:"type"`
			Minimum *float64 `yaml:"minimum"`
			Maximum *float64 `yaml:"maximum"`
			Enum    []any    `yaml:"enum"`
		} `yaml:"schema"`
	}
	// content is a request body or a response: only its media types matter here.
	content struct {
		Ref     string              `yaml:"$ref"`
		Content map[string]struct{} `yaml:"content"`
	}
)

// conventionalParams name the parameters the specs take from ./common.yaml, which Veritas does
// not publish: the names every NetBackup list uses for offset paging.
var conventionalParams = map[string]Param{
	"./common.yaml#/components/parameters/pageLimit":  {Name: "page[limit]", Type: "integer"},
	"./common.yaml#/components/parameters/pageOffset": {Name: "page[offset]", Type: "integer"},
}

// docCache reads each spec file of a release folder once, for the references between them.
type docCache struct {
	dir  string
	docs map[string]*document
}

func newDocCache(dir string) *docCache { return &docCache{dir: dir, docs: map[string]*document{}} }

func (c *docCache) get(name string) (*document, error) {
	if d, ok := c.docs[name]; ok {
		return d, nil
	}
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		return nil, err
	}
	d := &document{}
	if err := yaml.Unmarshal(b, d); err != nil {
		return nil, err
	}
	c.docs[name] = d
	return d, nil
}

func readOperations(docs *docCache, file string) ([]Operation, error) {
	d, err := docs.get(file)
	if err != nil {
		return nil, err
	}
	var ops []Operation
	for path, item := range d.Paths {
		methods := []struct {
			name string
			op   *operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"DELETE", item.Delete},
			{"PATCH", item.Patch}, {"HEAD", item.Head}, {"OPTIONS", item.Options}}
		for _, m := range methods {
			if m.op == nil {
				continue
			}
			o, err := buildOperation(docs, file, path, m.name, item.Parameters, m.op)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", m.name, path, err)
			}
			ops = append(ops, o)
		}
	}
	return ops, nil
}

func buildOperation(docs *docCache, file, path, method string, shared []parameter, op *operation) (Operation, error) {
	o := Operation{File: file, Method: method, Path: path}
	// The operation's parameters override the path item's of the same name and location.
	params := map[string]Param{}
	for _, list := range [][]parameter{shared, op.Parameters} {
		for _, p := range list {
			q, isQuery, err := resolveParam(docs, file, p)
			if err != nil {
				return o, err
			}
			if isQuery {
				params[q.Name] = q
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		o.Query = append(o.Query, params[name])
	}
	if op.RequestBody != nil {
		body, err := resolveBody(docs, file, *op.RequestBody)
		if err != nil {
			return o, err
		}
		o.RequestTypes = slices.Sorted(maps.Keys(body.Content))
	}
	for code, r := range op.Responses {
		if r.Ref != "" {
			continue // into ./common.yaml: the shared error responses
		}
		if strings.HasPrefix(code, "2") {
			o.ResponseTypes = append(o.ResponseTypes, slices.Sorted(maps.Keys(r.Content))...)
		} else {
			o.ErrorTypes = append(o.ErrorTypes, slices.Sorted(maps.Keys(r.Content))...)
		}
	}
	o.ResponseTypes, o.ErrorTypes = uniqueSorted(o.ResponseTypes), uniqueSorted(o.ErrorTypes)
	return o, nil
}

// resolveParam follows a parameter's reference and reports whether it is a query parameter.
func resolveParam(docs *docCache, file string, p parameter) (Param, bool, error) {
	if p.Ref != "" {
		if conv, ok := conventionalParams[p.Ref]; ok {
			conv.Ref = p.Ref
			return conv, true, nil
		}
		if strings.Contains(p.Ref, "#/components/headers/") {
			return Param{}, false, nil
		}
		target, name, err := splitRef(file, p.Ref, "parameters")
		if err != nil {
			return Param{}, false, err
		}
		d, err := docs.get(target)
		if err != nil {
			return Param{}, false, fmt.Errorf("parameter %s: %w", p.Ref, err)
		}
		resolved, ok := d.Components.Parameters[name]
		if !ok || resolved.Ref != "" {
			return Param{}, false, fmt.Errorf("parameter %s: not found (or a reference again)", p.Ref)
		}
		p = resolved
	}
	if p.In != "query" {
		return Param{}, false, nil
	}
	q := Param{Name: p.Name, Type: p.Schema.Type, Minimum: p.Schema.Minimum, Maximum: p.Schema.Maximum,
		Enum: p.Schema.Enum, Required: p.Required}
	switch p.Name {
	case "filter":
		q.Filterable = filterable(p.Description)
	case "sort":
		q.Sortable = sortable(p.Description)
	}
	return q, true, nil
}

func resolveBody(docs *docCache, file string, b content) (content, error) {
	if b.Ref == "" {
		return b, nil
	}
	target, name, err := splitRef(file, b.Ref, "requestBodies")
	if err != nil {
		return b, err
	}
	d, err := docs.get(target)
	if err != nil {
		return b, fmt.Errorf("request body %s: %w", b.Ref, err)
	}
	resolved, ok := d.Components.RequestBodies[name]
	if !ok {
		return b, fmt.Errorf("request body %s: not found", b.Ref)
	}
	return resolved, nil
}

// splitRef reads "#/components/<kind>/<name>" or "./other.yaml#/components/<kind>/<name>".
func splitRef(file, ref, kind string) (target, name string, err error) {
	doc, frag, ok := strings.Cut(ref, "#")
	name, found := strings.CutPrefix(frag, "/components/"+kind+"/")
	if !ok || !found || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("reference %q: want [file]#/components/%s/<name>", ref, kind)
	}
	target = file
	if doc != "" {
		target = filepath.Base(doc)
	}
	return target, name, nil
}

func uniqueSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
