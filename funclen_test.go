package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxFuncLines keeps functions to a screen: a longer one is doing more than one thing. The fake
// primary is test infrastructure and exempt.
const maxFuncLines = 80

type funcLen struct {
	name  string
	lines int
}

// TestFunctionsFitOnAScreen fails on a non-test function longer than maxFuncLines and logs the
// longest five (go test -run TestFunctionsFitOnAScreen -v .).
func TestFunctionsFitOnAScreen(t *testing.T) {
	var all []funcLen
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" || path == filepath.Join("internal", "fakenbu")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			all = append(all, funcLen{path + ":" + fn.Name.Name, lines})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].lines > all[j].lines })
	for i, f := range all {
		if i < 5 {
			t.Logf("%4d lines  %s", f.lines, f.name)
		}
		if f.lines > maxFuncLines {
			t.Errorf("%s is %d lines long (max %d)", f.name, f.lines, maxFuncLines)
		}
	}
}
