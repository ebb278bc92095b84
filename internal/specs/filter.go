package specs

import (
	"fmt"
	"slices"
	"strings"
)

// A filter is held to its parameter's table (Param.Filterable) when the spec gives one: every
// attribute it names must be listed, a comparison (`attr eq 'x'`) must use an operator listed for
// the attribute, and so must a function (`contains(attr,'x')`). Lambdas (`copies/any(c:...)`)
// are not read. Attribute paths compare with '/' and '.' alike (`malwareTool/malwareToolName`).

// filterToken is a token of an OData filter: an identifier (attribute, operator or function
// name), a literal ('quoted', a number, a date), or one of ( ) ,.
type filterToken struct {
	text  string
	ident bool
}

func tokenizeFilter(expr string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, filterToken{text: string(c)})
			i++
		case c == '\'':
			end := i + 1
			for ; end < len(expr); end++ {
				if expr[end] == '\'' {
					if end+1 < len(expr) && expr[end+1] == '\'' {
						end++
						continue
					}
					break
				}
			}
			if end >= len(expr) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, filterToken{text: expr[i : end+1]})
			i = end + 1
		default:
			end := i
			for end < len(expr) && !strings.ContainsRune(" \t(),'", rune(expr[end])) {
				end++
			}
			word := expr[i:end]
			toks = append(toks, filterToken{text: word, ident: isIdentStart(word[0]) && !isKeywordLiteral(word)})
			i = end
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func isKeywordLiteral(w string) bool { return w == "true" || w == "false" || w == "null" }

var (
	comparisons = []string{"eq", "ne", "gt", "ge", "lt", "le"}
	logical     = []string{"and", "or", "not"}
	functions   = []string{"contains", "startswith", "endswith", "tolower", "toupper"}
)

// checkFilter returns what in expr the parameter's table does not allow ("" when all is).
func (p *Param) checkFilter(expr string) string {
	if len(p.Filterable) == 0 || strings.Contains(expr, "/any(") || strings.Contains(expr, "/all(") {
		return ""
	}
	toks, err := tokenizeFilter(expr)
	if err != nil {
		return err.Error()
	}
	var wrong []string
	for i, tok := range toks {
		if !tok.ident || slices.Contains(comparisons, tok.text) || slices.Contains(logical, tok.text) {
			continue
		}
		if i+1 < len(toks) && toks[i+1].text == "(" {
			if !slices.Contains(functions, strings.ToLower(tok.text)) {
				wrong = append(wrong, "function "+tok.text)
			}
			continue
		}
		attr := p.filterAttr(tok.text)
		switch {
		case attr == nil:
			wrong = append(wrong, "attribute "+tok.text)
		case len(attr.Ops) > 0:
			for _, op := range operatorsOn(toks, i) {
				if !slices.Contains(attr.Ops, op) {
					wrong = append(wrong, fmt.Sprintf("%s on %s", op, tok.text))
				}
			}
		}
	}
	if len(wrong) == 0 {
		return ""
	}
	return fmt.Sprintf("not among the spec's filterable attributes and operators: %s", strings.Join(wrong, ", "))
}

// operatorsOn returns the operators applied to the attribute at toks[i]: the comparison right
// after it, and the function whose first argument it is (tolower and toupper are looked through).
func operatorsOn(toks []filterToken, i int) []string {
	var ops []string
	j := i + 1
	for j < len(toks) && toks[j].text == ")" {
		j++ // tolower(attr) eq 'x'
	}
	if j < len(toks) && slices.Contains(comparisons, toks[j].text) {
		ops = append(ops, toks[j].text)
	}
	for k := i - 1; k >= 1 && toks[k].text == "(" && toks[k-1].ident; k -= 2 {
		f := strings.ToLower(toks[k-1].text)
		if !slices.Contains(functions, f) {
			break
		}
		if f != "tolower" && f != "toupper" {
			ops = append(ops, f)
			break
		}
	}
	return ops
}

func (p *Param) filterAttr(name string) *FilterAttr {
	norm := strings.ReplaceAll(name, "/", ".")
	for i := range p.Filterable {
		if strings.ReplaceAll(p.Filterable[i].Name, "/", ".") == norm {
			return &p.Filterable[i]
		}
	}
	return nil
}

// checkSort returns what in a sort value the parameter's table does not list ("" when all is).
func (p *Param) checkSort(value string) string {
	if len(p.Sortable) == 0 {
		return ""
	}
	var wrong []string
	for field := range strings.SplitSeq(value, ",") {
		field = strings.TrimLeft(strings.TrimSpace(field), "-+")
		norm := strings.ReplaceAll(field, "/", ".")
		if !slices.ContainsFunc(p.Sortable, func(s string) bool { return strings.ReplaceAll(s, "/", ".") == norm }) {
			wrong = append(wrong, field)
		}
	}
	if len(wrong) == 0 {
		return ""
	}
	return fmt.Sprintf("%s not among the spec's sortable attributes", strings.Join(wrong, ", "))
}
