package specs

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Generate reads the Veritas spec folders under dir (dir/<release>/*.yaml, and dir/README.md for
// each release's API version) and returns the table: one file per release, named <release>.json,
// holding every path and method of every spec file. The output depends on the specs alone.
func Generate(dir string) (map[string][]byte, error) {
	versions, err := readAPIVersions(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for release, api := range versions {
		rel, err := readRelease(filepath.Join(dir, release), release, api)
		if err != nil {
			return nil, err
		}
		out[release+".json"] = encodeRelease(rel)
	}
	return out, nil
}

// readmeRow is a row of the specs' README table: | folder | NetBackup | API version |.
var readmeRow = regexp.MustCompile(`(?m)^\|\s*(\d+\.\d+)\s*\|[^|\n]*\|\s*(\d+\.\d+)\s*\|\s*$`)

func readAPIVersions(readme string) (map[string]string, error) {
	b, err := os.ReadFile(readme)
	if err != nil {
		return nil, fmt.Errorf("specs: the release to API version table: %w", err)
	}
	versions := map[string]string{}
	for _, m := range readmeRow.FindAllSubmatch(b, -1) {
		versions[string(m[1])] = string(m[2])
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("specs: %s has no | folder | NetBackup | API version | rows", readme)
	}
	return versions, nil
}

func readRelease(dir, release, api string) (Release, error) {
	rel := Release{Release: release, APIVersion: api}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return rel, err
	}
	if len(files) == 0 {
		return rel, fmt.Errorf("specs: no *.yaml in %s", dir)
	}
	docs := newDocCache(dir)
	for _, f := range files {
		name := filepath.Base(f)
		ops, err := readOperations(docs, name)
		if err != nil {
			return rel, fmt.Errorf("specs: %s/%s: %w", release, name, err)
		}
		rel.Files = append(rel.Files, name)
		rel.Operations = append(rel.Operations, ops...)
	}
	slices.SortFunc(rel.Operations, func(a, b Operation) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method), strings.Compare(a.File, b.File))
	})
	return rel, nil
}

// encodeRelease writes one operation a line, so that a change of the specs shows as a diff of
// the operations it touches.
func encodeRelease(r Release) []byte {
	var b bytes.Buffer
	head, _ := json.Marshal(struct {
		Release    string   `json:"release"`
		APIVersion string   `json:"apiVersion"`
		Files      []string `json:"files"`
	}{r.Release, r.APIVersion, r.Files})
	b.Write(head[:len(head)-1])
	b.WriteString(`,"operations":[`)
	for i := range r.Operations {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		line, _ := json.Marshal(&r.Operations[i])
		b.Write(line)
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}
