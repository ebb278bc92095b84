package specs

import (
	"regexp"
	"strings"
)

// The descriptions of filter and sort parameters carry markdown tables of what may be filtered
// and sorted on:
//
//	|Name|Supported Operators|Description|Schema|
//	|---|---|---|---|
//	|jobId|eq ne lt gt le ge|The job identifier.|integer|
//
// describedTable returns the rows of every such table in description: each row's cells, the
// first being the name. A row is a line starting with '|' after a header whose first cell is Name.
func describedTable(description string) [][]string {
	var rows [][]string
	inTable := false
	for line := range strings.SplitSeq(description, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case strings.EqualFold(cells[0], "Name"):
			inTable = true
		case !inTable || separatorRow.MatchString(cells[0]):
		default:
			rows = append(rows, cells)
		}
	}
	return rows
}

var (
	separatorRow = regexp.MustCompile(`^:?-+:?$`)
	operatorWord = regexp.MustCompile(`[a-z]+`)
)

// filterable reads a filter parameter's table: the attributes and the operator words of the
// second column.
func filterable(description string) []FilterAttr {
	var out []FilterAttr
	for _, row := range describedTable(description) {
		a := FilterAttr{Name: row[0]}
		if len(row) > 1 {
			a.Ops = operatorWord.FindAllString(strings.ToLower(row[1]), -1)
		}
		out = append(out, a)
	}
	return out
}

// sortable reads a sort parameter's table: the names.
func sortable(description string) []string {
	var out []string
	for _, row := range describedTable(description) {
		out = append(out, row[0])
	}
	return out
}
