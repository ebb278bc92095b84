// Command gen writes the spec table of package specs from the Veritas spec folders:
//
//	go run ./internal/specs/gen [-specs ../shared/docs/veritas] [-out internal/specs/endpoints]
//
// (`make specs` from the repository root). It replaces every <release>.json in -out.
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/netbackup-exporter/netbackup_exporter/internal/specs"
)

func main() {
	dir := flag.String("specs", "../shared/docs/veritas", "the Veritas spec folders (<release>/*.yaml and README.md)")
	out := flag.String("out", filepath.Join("internal", "specs", specs.Dir), "where the table's <release>.json files go")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	files, err := specs.Generate(dir)
	if err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(out, "*.json"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if _, keep := files[filepath.Base(f)]; !keep {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s (%d bytes)\n", filepath.Join(out, name), len(files[name]))
	}
	return nil
}
