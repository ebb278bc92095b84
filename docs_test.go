package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/monitoring"
)

// The reference pages the tests below hold to the code: an operator finds every flag and module
// key in configuration.md and every metric in metrics.md, whoever added it.
const (
	configurationDoc = "docs/configuration.md"
	metricsDoc       = "docs/metrics.md"
)

// TestDocsNameEveryFlag: every flag the exporter takes is in the flags table of
// docs/configuration.md, as `--name`.
func TestDocsNameEveryFlag(t *testing.T) {
	doc := readDoc(t, configurationDoc)
	flags := sourceFlags(t)
	// exporter-toolkit's flags (--web.listen-address, ...) are added by a call main makes; kingpin's
	// own (--help, --completion-*) are left out, --version is kingpin's but main sets it.
	builtin := map[string]bool{}
	for _, f := range kingpin.New("docs", "").Model().Flags {
		builtin[f.Name] = true
	}
	app := kingpin.New("docs", "")
	kingpinflag.AddFlags(app, defaultListenAddress)
	for _, f := range app.Model().Flags {
		if !builtin[f.Name] {
			flags = append(flags, f.Name)
		}
	}
	flags = append(flags, "version")
	if len(flags) < 15 {
		t.Fatalf("found only %d flags (%v): the scan of the sources is broken", len(flags), flags)
	}
	for _, f := range flags {
		if !strings.Contains(doc, "`--"+f+"`") {
			t.Errorf("%s does not document the flag --%s", configurationDoc, f)
		}
	}
}

// sourceFlags is every kingpin flag declared in the exporter's own packages (app.Flag("name",
// ...) in the root package and under internal/).
func sourceFlags(t *testing.T) []string {
	t.Helper()
	var flags []string
	for _, file := range goSources(t) {
		if dir := filepath.Dir(file); dir != "." && !strings.HasPrefix(dir, "internal"+string(filepath.Separator)) {
			continue
		}
		ast.Inspect(parseGo(t, file), func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Flag" && len(call.Args) > 0 {
				if name, ok := stringLit(call.Args[0]); ok {
					flags = append(flags, name)
				}
			}
			return true
		})
	}
	return flags
}

// TestDocsNameEveryModuleKey: every key of a module, at every depth (jobs.lookback,
// tls_config.ca_file), is in docs/configuration.md as `key.path`.
func TestDocsNameEveryModuleKey(t *testing.T) {
	doc := readDoc(t, configurationDoc)
	keys := yamlKeys(reflect.TypeFor[config.Module](), "")
	if len(keys) < 40 {
		t.Fatalf("found only %d module keys: the walk of config.Module is broken", len(keys))
	}
	for _, k := range keys {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("%s does not document the module key %s", configurationDoc, k)
		}
	}
}

// yamlKeys is every key path the YAML decoder reads into a value of type typ: a struct's fields
// by their yaml names, nested structs as prefix.key (inlined ones without a prefix).
func yamlKeys(typ reflect.Type, prefix string) []string {
	var keys []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if strings.Contains(opts, "inline") {
			keys = append(keys, yamlKeys(ft, prefix)...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		keys = append(keys, prefix+name)
		if ft.Kind() == reflect.Struct {
			keys = append(keys, yamlKeys(ft, prefix+name+".")...)
		}
	}
	return keys
}

// TestDocsNameEveryMetric: every metric family the exporter can emit is in docs/metrics.md as
// `name`: those declared in the sources (newDesc, prometheus.NewDesc, prometheus.*Opts), which
// holds metrics the demo data does not make, and those a probe with every collector on and the
// exporter's own /metrics return (Go's and the process's own aside).
func TestDocsNameEveryMetric(t *testing.T) {
	doc := readDoc(t, metricsDoc)
	names := sourceMetricNames(t)
	if len(names) < 80 {
		t.Fatalf("found only %d metric names in the sources: the scan is broken", len(names))
	}
	for name := range exporterFamilies(t) {
		if !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			names[name] = "a probe with every collector, or /metrics"
		}
	}
	for _, name := range sortedKeys(names) {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("%s does not document %s (%s)", metricsDoc, name, names[name])
		}
	}
}

// sourceMetricNames maps every metric name the exporter's non-test sources declare to the file
// that declares it.
func sourceMetricNames(t *testing.T) map[string]string {
	t.Helper()
	names := map[string]string{}
	for _, file := range goSources(t) {
		ast.Inspect(parseGo(t, file), func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				return n.Name.Name != "newDesc" // its prometheus.NewDesc takes the caller's name
			case *ast.CallExpr:
				if isMetricDescCall(n.Fun) && len(n.Args) > 0 {
					name, ok := stringLit(n.Args[0])
					if !ok {
						t.Errorf("%s: a metric whose name is not a string literal: write it as one, so that this test can check its documentation", file)
					}
					names[name] = file
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && isIdent(sel.X, "prometheus") && strings.HasSuffix(sel.Sel.Name, "Opts") {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Name") {
							if name, ok := stringLit(kv.Value); ok {
								names[name] = file
							}
						}
					}
				}
			}
			return true
		})
	}
	delete(names, "")
	return names
}

func isMetricDescCall(fun ast.Expr) bool {
	if isIdent(fun, "newDesc") {
		return true
	}
	sel, ok := fun.(*ast.SelectorExpr)
	return ok && isIdent(sel.X, "prometheus") && sel.Sel.Name == "NewDesc"
}

// TestDocsListTheDeliberateLintWarnings: the promtool section of docs/metrics.md names exactly
// the gauges whose _count suffix promtool warns about on purpose (monitoring.CountSuffixGauges).
func TestDocsListTheDeliberateLintWarnings(t *testing.T) {
	doc := readDoc(t, metricsDoc)
	_, section, ok := strings.Cut(doc, "\n## promtool check metrics\n")
	if !ok {
		t.Fatalf(`%s has no "## promtool check metrics" section`, metricsDoc)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []string
	for _, m := range regexp.MustCompile("`(nbu_[a-z_]+_count)`").FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	want := slices.Sorted(slices.Values(monitoring.CountSuffixGauges))
	if !slices.Equal(slices.Compact(listed), want) {
		t.Errorf("%s lists the deliberate _count warnings\n%v\nmonitoring.CountSuffixGauges has\n%v", metricsDoc, listed, want)
	}
}

// TestDocsLinksResolve: every relative link of README.md, docs/*.md and the chart's and the
// mixin's READMEs names a file of the repository, and every #anchor a heading of the page it
// points to (GitHub's anchors).
func TestDocsLinksResolve(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, "README.md", "deploy/helm/netbackup-exporter/README.md", "netbackup-mixin/README.md")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, page := range pages {
		text := readDoc(t, page)
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			dest := page
			if file != "" {
				dest = filepath.Join(filepath.Dir(page), file)
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s links to %s, which does not exist", page, target)
					continue
				}
			}
			if anchor != "" && !slices.Contains(anchors(readDoc(t, dest)), anchor) {
				t.Errorf("%s links to %s: %s has no heading with that anchor", page, target, dest)
			}
		}
	}
}

// anchors are the anchors GitHub gives a Markdown page's headings: lower case, punctuation but
// hyphens and underscores dropped, spaces as hyphens, repeats numbered.
func anchors(text string) []string {
	var out []string
	seen := map[string]int{}
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9'):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out = append(out, a+"-"+strconv.Itoa(n))
		} else {
			out = append(out, a)
		}
		seen[a]++
	}
	return out
}

// goSources is every non-test Go file of the exporter itself: not the fake, the scripts' tools,
// the end-to-end test or the chart's test.
func goSources(t *testing.T) []string {
	t.Helper()
	skip := map[string]bool{".git": true, "cmd": true, "scripts": true, "e2e": true, "deploy": true,
		"testdata": true, filepath.Join("internal", "fakenbu"): true, ".build": true, ".tarballs": true}
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skip[path] {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func parseGo(t *testing.T, file string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
