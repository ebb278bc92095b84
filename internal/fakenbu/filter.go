package fakenbu

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The filter language is the OData subset the exporter needs:
//
//	<field> <op> <value> [and <field> <op> <value>]...
//
// with ops eq ne lt gt le ge; integers and date-times unquoted, strings in
// single quotes ('' escapes a quote), booleans as true/false. or, not,
// parentheses and functions (contains, startswith...) are not supported and
// are rejected rather than ignored, so that a client relying on them fails
// loudly against the fake.

type fieldKind int

const (
	kindInt fieldKind = iota
	kindTime
	kindString
	kindBool
)

// field tells the filter how to read one attribute of T; exactly one getter
// matches kind.
type field[T any] struct {
	kind fieldKind
	num  func(*T) int64
	tm   func(*T) time.Time // the zero time means absent, which never matches
	str  func(*T) string
	bl   func(*T) bool
}

type filter[T any] []func(*T) bool

func (f filter[T]) match(x *T) bool {
	for _, clause := range f {
		if !clause(x) {
			return false
		}
	}
	return true
}

type filterToken struct {
	text   string
	quoted bool
}

func tokenizeFilter(expr string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(expr); {
		switch c := expr[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '\'':
			var sb strings.Builder
			i++
			for {
				if i >= len(expr) {
					return nil, fmt.Errorf("unterminated string literal")
				}
				if expr[i] == '\'' {
					if i+1 < len(expr) && expr[i+1] == '\'' {
						sb.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				sb.WriteByte(expr[i])
				i++
			}
			toks = append(toks, filterToken{text: sb.String(), quoted: true})
		default:
			j := i
			for j < len(expr) && expr[j] != ' ' && expr[j] != '\t' && expr[j] != '\'' {
				j++
			}
			toks = append(toks, filterToken{text: expr[i:j]})
			i = j
		}
	}
	return toks, nil
}

// parseFilter compiles expr against the fields of T; "" gives a filter that
// matches everything. Errors name the offending part of the expression.
func parseFilter[T any](expr string, fields map[string]field[T]) (filter[T], error) {
	toks, err := tokenizeFilter(expr)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	var f filter[T]
	for i := 0; i < len(toks); {
		if i > 0 {
			if toks[i].quoted || toks[i].text != "and" {
				return nil, fmt.Errorf("filter %q: expected 'and' after clause %d, got %q (only 'and' is supported)",
					expr, len(f), toks[i].text)
			}
			i++
		}
		if i+3 > len(toks) {
			return nil, fmt.Errorf("filter %q: clause %d is incomplete: want <field> <op> <value>", expr, len(f)+1)
		}
		clause, err := compileClause(toks[i], toks[i+1], toks[i+2], fields)
		if err != nil {
			return nil, fmt.Errorf("filter %q: %w", expr, err)
		}
		f = append(f, clause)
		i += 3
	}
	return f, nil
}

func compileClause[T any](name, opTok, val filterToken, fields map[string]field[T]) (func(*T) bool, error) {
	fd, ok := fields[name.text]
	if name.quoted || !ok {
		return nil, fmt.Errorf("unknown or unsupported field %q", name.text)
	}
	op := opTok.text
	ordered := op == "lt" || op == "gt" || op == "le" || op == "ge"
	if opTok.quoted || !(op == "eq" || op == "ne" || ordered) {
		return nil, fmt.Errorf("unknown operator %q after %s (want eq ne lt gt le ge)", op, name.text)
	}
	switch fd.kind {
	case kindInt:
		if val.quoted {
			return nil, fmt.Errorf("%s expects an unquoted integer, got '%s'", name.text, val.text)
		}
		want, err := strconv.ParseInt(val.text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s expects an integer, got %q", name.text, val.text)
		}
		test := cmpTest(op)
		return func(x *T) bool { return test(cmpInt(fd.num(x), want)) }, nil
	case kindTime:
		if val.quoted {
			return nil, fmt.Errorf("%s expects an unquoted date-time, got '%s'", name.text, val.text)
		}
		want, err := time.Parse(time.RFC3339Nano, val.text)
		if err != nil {
			return nil, fmt.Errorf("%s expects an RFC 3339 date-time such as 2026-01-01T00:00:00Z, got %q", name.text, val.text)
		}
		test := cmpTest(op)
		return func(x *T) bool {
			t := fd.tm(x)
			return !t.IsZero() && test(t.Compare(want))
		}, nil
	case kindString:
		if ordered {
			return nil, fmt.Errorf("operator %s is not supported for %s (want eq or ne)", op, name.text)
		}
		if !val.quoted {
			return nil, fmt.Errorf("%s expects a single-quoted string, got %s", name.text, val.text)
		}
		want, eq := val.text, op == "eq"
		return func(x *T) bool { return (fd.str(x) == want) == eq }, nil
	default: // kindBool
		if ordered {
			return nil, fmt.Errorf("operator %s is not supported for %s (want eq or ne)", op, name.text)
		}
		want, err := strconv.ParseBool(val.text)
		if val.quoted || err != nil || (val.text != "true" && val.text != "false") {
			return nil, fmt.Errorf("%s expects true or false, got %q", name.text, val.text)
		}
		eq := op == "eq"
		return func(x *T) bool { return (fd.bl(x) == want) == eq }, nil
	}
}

// cmpTest turns an operator into a test on a three-way comparison result.
func cmpTest(op string) func(int) bool {
	switch op {
	case "eq":
		return func(c int) bool { return c == 0 }
	case "ne":
		return func(c int) bool { return c != 0 }
	case "lt":
		return func(c int) bool { return c < 0 }
	case "gt":
		return func(c int) bool { return c > 0 }
	case "le":
		return func(c int) bool { return c <= 0 }
	default: // ge
		return func(c int) bool { return c >= 0 }
	}
}

var jobFields = map[string]field[Job]{
	"jobId":          {kind: kindInt, num: func(j *Job) int64 { return j.JobID }},
	"parentJobId":    {kind: kindInt, num: func(j *Job) int64 { return j.ParentJobID }},
	"status":         {kind: kindInt, num: func(j *Job) int64 { return j.Status }},
	"endTime":        {kind: kindTime, tm: func(j *Job) time.Time { return j.EndTime }},
	"startTime":      {kind: kindTime, tm: func(j *Job) time.Time { return j.StartTime }},
	"lastUpdateTime": {kind: kindTime, tm: func(j *Job) time.Time { return j.LastUpdateTime }},
	"state":          {kind: kindString, str: func(j *Job) string { return j.State }},
	"jobType":        {kind: kindString, str: func(j *Job) string { return j.JobType }},
	"policyType":     {kind: kindString, str: func(j *Job) string { return j.PolicyType }},
	"clientName":     {kind: kindString, str: func(j *Job) string { return j.ClientName }},
}

var storageUnitFields = map[string]field[StorageUnit]{
	"name":                 {kind: kindString, str: func(u *StorageUnit) string { return u.Name }},
	"storageType":          {kind: kindString, str: func(u *StorageUnit) string { return u.StorageType }},
	"storageSubType":       {kind: kindString, str: func(u *StorageUnit) string { return u.StorageSubType }},
	"storageServerType":    {kind: kindString, str: func(u *StorageUnit) string { return u.StorageServerType }},
	"storageCategory":      {kind: kindString, str: func(u *StorageUnit) string { return u.StorageCategory }},
	"isCloudSTU":           {kind: kindBool, bl: func(u *StorageUnit) bool { return u.IsCloudSTU }},
	"wormCapable":          {kind: kindBool, bl: func(u *StorageUnit) bool { return u.WormCapable }},
	"useWorm":              {kind: kindBool, bl: func(u *StorageUnit) bool { return u.UseWorm }},
	"replicationCapable":   {kind: kindBool, bl: func(u *StorageUnit) bool { return u.ReplicationCapable }},
	"instantAccessEnabled": {kind: kindBool, bl: func(u *StorageUnit) bool { return u.InstantAccessEnabled }},
	"accelerator":          {kind: kindBool, bl: func(u *StorageUnit) bool { return u.Accelerator }},
}

var diskPoolFields = map[string]field[DiskPool]{
	"name":            {kind: kindString, str: func(p *DiskPool) string { return p.Name }},
	"sType":           {kind: kindString, str: func(p *DiskPool) string { return p.SType }},
	"storageCategory": {kind: kindString, str: func(p *DiskPool) string { return p.StorageCategory }},
	"wormCapable":     {kind: kindBool, bl: func(p *DiskPool) bool { return p.WormCapable }},
}
