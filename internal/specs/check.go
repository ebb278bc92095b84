package specs

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// BasePath is where every spec's server URL puts the API.
const BasePath = "/netbackup"

// Kind is what part of a request a Violation is about.
type Kind int

// The kinds, in the order Check looks.
const (
	KindPath        Kind = iota // no path template of the release matches
	KindMethod                  // the template has no operation for the method
	KindQuery                   // a query parameter undeclared, mistyped, out of range or missing
	KindAccept                  // Accept names a media type or version the operation does not produce
	KindContentType             // a body the operation does not take, or in a media type it does not
)

// Status is what a server holding requests to its spec answers a violation of this kind.
func (k Kind) Status() int {
	switch k {
	case KindPath:
		return http.StatusNotFound
	case KindMethod:
		return http.StatusMethodNotAllowed
	case KindQuery:
		return http.StatusBadRequest
	case KindAccept:
		return http.StatusNotAcceptable
	}
	return http.StatusUnsupportedMediaType
}

// Violation is one way a request departs from its release's spec.
type Violation struct {
	Kind    Kind
	Release string
	Method  string
	Path    string // the request's, below /netbackup
	// Operation is the spec's path template and where it comes from ("" for KindPath).
	Operation string
	Detail    string
}

func (v *Violation) Error() string {
	return fmt.Sprintf("%s %s (release %s, %s): %s", v.Method, v.Path, v.Release, cmp.Or(v.Operation, "no operation"), v.Detail)
}

// Violations are every departure Check found in one request, most fundamental first.
type Violations []*Violation

// Error names the request and operation once, then what is wrong with it.
func (vs Violations) Error() string {
	if len(vs) == 0 {
		return "no violation"
	}
	msg := vs[0].Error()
	for _, v := range vs[1:] {
		if v.Method == vs[0].Method && v.Path == vs[0].Path && v.Operation == vs[0].Operation {
			msg += "; " + v.Detail
		} else {
			msg += "; " + v.Error()
		}
	}
	return msg
}

// Check returns nil when r is a request release's spec allows, or Violations: the path (below
// /netbackup) matches a template of the release, the template has the method, every query
// parameter is declared by the operation (integers within their bounds, enum values listed, a
// filter's attributes and operators and a sort's attributes in the tables of their descriptions)
// and every required one is sent, Accept names only media types (with their version) the operation
// produces, and a body comes in a media type the operation takes. Headers other than Accept and
// Content-Type, path parameters and bodies are not checked.
func (t *Table) Check(release string, r *http.Request) error {
	v := t.view(release)
	if v == nil {
		return fmt.Errorf("specs: no table for release %q", release)
	}
	path := r.URL.EscapedPath()
	bad := func(kind Kind, operation, format string, args ...any) error {
		return Violations{{Kind: kind, Release: release, Method: r.Method, Path: path, Operation: operation, Detail: fmt.Sprintf(format, args...)}}
	}
	rest, ok := strings.CutPrefix(path, BasePath)
	if !ok || !strings.HasPrefix(rest, "/") {
		return bad(KindPath, "", "not below %s", BasePath)
	}
	path = rest
	ops := v.match(rest)
	if len(ops) == 0 {
		return bad(KindPath, "", "no path of the %s spec matches", release)
	}
	var best Violations
	for _, o := range ops {
		if o.Method != r.Method {
			continue
		}
		vs := o.check(r)
		if len(vs) == 0 {
			return nil
		}
		for _, x := range vs {
			x.Release, x.Method, x.Path = release, r.Method, path
		}
		if best == nil || len(vs) < len(best) {
			best = vs
		}
	}
	if best == nil {
		return bad(KindMethod, ops[0].where(), "the spec has no %s here", r.Method)
	}
	return best
}

func (o *op) where() string {
	return o.Path + " in " + cmp.Or(o.from, o.File)
}

// check holds r to o: query, Accept, Content-Type.
func (o *op) check(r *http.Request) Violations {
	var vs Violations
	add := func(kind Kind, format string, args ...any) {
		vs = append(vs, &Violation{Kind: kind, Operation: o.where(), Detail: fmt.Sprintf(format, args...)})
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		add(KindQuery, "query %q: %v", r.URL.RawQuery, err)
	}
	for _, msg := range o.checkQuery(q) {
		add(KindQuery, "%s", msg)
	}
	if msg := o.checkAccept(r.Header.Values("Accept")); msg != "" {
		add(KindAccept, "%s", msg)
	}
	if msg := o.checkBody(r); msg != "" {
		add(KindContentType, "%s", msg)
	}
	return vs
}

func (o *op) checkQuery(q url.Values) []string {
	var msgs []string
	for name, values := range q {
		p := o.query[name]
		if p == nil {
			msgs = append(msgs, fmt.Sprintf("query parameter %q is not declared", name))
			continue
		}
		if len(values) > 1 {
			msgs = append(msgs, fmt.Sprintf("query parameter %q sent %d times", name, len(values)))
		}
		for _, val := range values {
			if msg := p.checkValue(val); msg != "" {
				msgs = append(msgs, fmt.Sprintf("query parameter %q=%q: %s", name, val, msg))
			}
		}
	}
	for _, p := range o.Query {
		if _, sent := q[p.Name]; p.Required && !sent {
			msgs = append(msgs, fmt.Sprintf("required query parameter %q is not sent", p.Name))
		}
	}
	return msgs
}

// checkValue holds one value to the parameter's schema: its type, bounds and enum.
func (p *Param) checkValue(val string) string {
	var num float64
	switch p.Type {
	case "integer":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return "not an integer"
		}
		num = float64(n)
	case "number":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "not a number"
		}
		num = f
	case "boolean":
		if val != "true" && val != "false" {
			return "not true or false"
		}
	}
	if p.Minimum != nil && num < *p.Minimum {
		return fmt.Sprintf("below the minimum %v", *p.Minimum)
	}
	if p.Maximum != nil && num > *p.Maximum {
		return fmt.Sprintf("above the maximum %v", *p.Maximum)
	}
	if len(p.Enum) > 0 && !slices.ContainsFunc(p.Enum, func(e any) bool { return fmt.Sprint(e) == val }) {
		return fmt.Sprintf("not one of %v", p.Enum)
	}
	if msg := p.checkFilter(val); msg != "" {
		return msg
	}
	return p.checkSort(val)
}

// checkAccept wants every media range of Accept among what the operation produces: its 2xx
// types, or for an operation whose success has no body, the types of its errors.
func (o *op) checkAccept(values []string) string {
	accept := parseAccept(values)
	if len(accept) == 0 {
		return "no Accept header: the API version is chosen by it"
	}
	produces := o.response
	if len(produces) == 0 {
		produces = o.errors
	}
	var wrong []string
	for _, m := range accept {
		if !slices.Contains(produces, m) {
			wrong = append(wrong, m.String())
		}
	}
	if len(wrong) == 0 {
		return ""
	}
	return fmt.Sprintf("Accept %s: the operation produces %s", strings.Join(wrong, ", "), typeList(produces))
}

func (o *op) checkBody(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	// ContentLength is -1 for a body of unknown length (chunked on the server side).
	hasBody := r.ContentLength > 0 || r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody
	switch {
	case !hasBody && ct == "":
		return ""
	case len(o.request) == 0:
		return fmt.Sprintf("a body (Content-Type %q) to an operation that takes none", ct)
	case slices.Contains(o.request, parseMediaType(ct)):
		return ""
	}
	return fmt.Sprintf("Content-Type %q: the operation takes %s", ct, typeList(o.request))
}

func typeList(types []mediaType) string {
	if len(types) == 0 {
		return "no media type"
	}
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// AsViolations returns the violations in err (nil when err holds none).
func AsViolations(err error) Violations {
	if vs, ok := errors.AsType[Violations](err); ok {
		return vs
	}
	return nil
}
