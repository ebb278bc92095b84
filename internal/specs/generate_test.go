package specs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// specsDir is where the Veritas specs sit beside a developer's checkout; SPECS overrides it (as
// for `make specs`). CI's clean clone has none, and the test is skipped there.
func specsDir() string {
	if d := os.Getenv("SPECS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "docs", "veritas")
}

// TestTableMatchesSpecs regenerates the table in memory from the spec files and fails when the
// committed one differs: a changed spec, or a generator changed without `make specs`.
func TestTableMatchesSpecs(t *testing.T) {
	dir := specsDir()
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("no Veritas specs at %s (set SPECS to check the table against them): %v", dir, err)
	}
	files, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := filepath.Glob(filepath.Join(Dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != len(files) {
		t.Errorf("%d committed release files, the specs make %d", len(committed), len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(Dir, name))
		if err != nil {
			t.Errorf("%v: run `make specs`", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what %s makes: run `make specs` (SPECS=%s)", filepath.Join(Dir, name), dir, dir)
		}
	}
}
