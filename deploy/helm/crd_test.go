//go:build helm

package helm_test

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// operatorKinds are the Prometheus Operator kinds the chart renders, with their CRD files.
var operatorKinds = map[string]string{
	"Probe":          "monitoring.coreos.com_probes.yaml.gz",
	"ScrapeConfig":   "monitoring.coreos.com_scrapeconfigs.yaml.gz",
	"ServiceMonitor": "monitoring.coreos.com_servicemonitors.yaml.gz",
}

// crdSchema returns the openAPIV3Schema of kind at apiVersion from the operator's CRD in
// testdata/crds.
func crdSchema(t *testing.T, kind, apiVersion string) map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "crds", operatorKinds[kind]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var crd obj
	if err := yaml.NewDecoder(zr).Decode(&crd); err != nil {
		t.Fatalf("%s: %v", operatorKinds[kind], err)
	}
	group, version, _ := strings.Cut(apiVersion, "/")
	if str(crd, "spec", "group") != group || str(crd, "spec", "names", "kind") != kind {
		t.Fatalf("%s is not the CRD of %s %s", operatorKinds[kind], apiVersion, kind)
	}
	for _, v := range list(crd, "spec", "versions") {
		if str(v, "name") == version {
			return get(v, "schema", "openAPIV3Schema").(map[string]any)
		}
	}
	t.Fatalf("the %s CRD serves no version %s", kind, version)
	return nil
}

// checkAgainstCRDs validates every rendered Prometheus Operator object against its CRD's schema.
func checkAgainstCRDs(t *testing.T, objs []obj) {
	t.Helper()
	for _, o := range objs {
		kind := str(o, "kind")
		if _, ok := operatorKinds[kind]; !ok {
			continue
		}
		// The spec; the API server checks metadata as every object's ObjectMeta.
		schema := crdSchema(t, kind, str(o, "apiVersion"))
		spec, _ := get(schema, "properties", "spec").(map[string]any)
		for _, err := range validate(o["spec"], spec, "spec") {
			t.Errorf("%s %s: %v", kind, str(o, "metadata", "name"), err)
		}
	}
}

// validate checks v against an OpenAPI v3 schema as the API server's structural schemas use it:
// types, unknown fields, required fields, enums, patterns, minimums.
func validate(v any, schema map[string]any, path string) []error {
	if schema["x-kubernetes-int-or-string"] == true {
		switch v.(type) {
		case int, string:
			return nil
		}
		return []error{fmt.Errorf("%s: %v is neither an integer nor a string", path, v)}
	}
	var errs []error
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Errorf("%s: %v is not one of %v", path, v, enum))
	}
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Errorf("%s: %v is not an object", path, v))
		}
		errs = append(errs, validateObject(m, schema, path)...)
	case "array":
		l, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Errorf("%s: %v is not an array", path, v))
		}
		items, _ := schema["items"].(map[string]any)
		for i, item := range l {
			errs = append(errs, validate(item, items, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case "string":
		errs = append(errs, validateString(v, schema, path)...)
	case "integer":
		n, ok := v.(int)
		if !ok {
			return append(errs, fmt.Errorf("%s: %v is not an integer", path, v))
		}
		if minimum, ok := schema["minimum"].(int); ok && n < minimum {
			errs = append(errs, fmt.Errorf("%s: %d is below %d", path, n, minimum))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Errorf("%s: %v is not a boolean", path, v))
		}
	}
	return errs
}

func validateObject(m map[string]any, schema map[string]any, path string) []error {
	var errs []error
	props, _ := schema["properties"].(map[string]any)
	extra, _ := schema["additionalProperties"].(map[string]any)
	open := schema["additionalProperties"] == true || schema["x-kubernetes-preserve-unknown-fields"] == true
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch sub, ok := props[k].(map[string]any); {
		case ok:
			errs = append(errs, validate(m[k], sub, path+"."+k)...)
		case extra != nil:
			errs = append(errs, validate(m[k], extra, path+"."+k)...)
		case !open:
			errs = append(errs, fmt.Errorf("%s: unknown field %q", path, k))
		}
	}
	for _, r := range asList(schema["required"]) {
		if _, ok := m[r.(string)]; !ok {
			errs = append(errs, fmt.Errorf("%s: required field %q is missing", path, r))
		}
	}
	return errs
}

func validateString(v any, schema map[string]any, path string) []error {
	s, ok := v.(string)
	if !ok {
		return []error{fmt.Errorf("%s: %v is not a string", path, v)}
	}
	if minLen, ok := schema["minLength"].(int); ok && len(s) < minLen {
		return []error{fmt.Errorf("%s: %q is shorter than %d", path, s, minLen)}
	}
	if pattern, ok := schema["pattern"].(string); ok {
		// The API server's patterns are ECMA-262; those of these CRDs are also valid RE2.
		re, err := regexp.Compile(pattern)
		if err != nil {
			return []error{fmt.Errorf("%s: the CRD's pattern %q: %v", path, pattern, err)}
		}
		if !re.MatchString(s) {
			return []error{fmt.Errorf("%s: %q does not match %s", path, s, pattern)}
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
