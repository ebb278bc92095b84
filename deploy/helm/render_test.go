//go:build helm

// Package helm_test renders the chart in netbackup-exporter/ with `helm template` and checks how
// its objects fit together: the paths modules.yml names are the files the pod mounts, the ports
// agree, the kubelet checks hit /-/healthy and /-/ready, one Probe per module, shard N reaches
// pod N, and no secret is written into a ConfigMap. No cluster is needed. Run it with `make
// helm-test`, which builds helm and sets HELM.
package helm_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	chartDir  = "netbackup-exporter"
	release   = "nbu"
	namespace = "monitoring"
)

// obj is one rendered Kubernetes object, as YAML decodes it.
type obj = map[string]any

// helmBin is the helm binary: $HELM, else helm on PATH.
func helmBin(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("HELM"); h != "" {
		return h
	}
	h, err := exec.LookPath("helm")
	if err != nil {
		t.Fatal("helm is not installed: run `make helm-test`, which builds it")
	}
	return h
}

// helmTemplate renders the chart with the values files and --set arguments given, and returns
// helm's output and error.
func helmTemplate(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(helmBin(t), append([]string{"template", release, chartDir, "--namespace", namespace}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm template %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// render renders the chart and decodes every object.
func render(t *testing.T, args ...string) []obj {
	t.Helper()
	out, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(out))
	var objs []obj
	for {
		var o obj
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decoding helm's output: %v\n%s", err, out)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		t.Fatalf("helm template rendered nothing:\n%s", out)
	}
	return objs
}

// values reads a values file of the chart's ci/ directory.
func values(t *testing.T, name string) chartValues {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartDir, "ci", name))
	if err != nil {
		t.Fatal(err)
	}
	var v chartValues
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// chartValues is the part of values.yaml the assertions compare the objects with.
type chartValues struct {
	Replicas int                    `yaml:"replicas"`
	Modules  map[string]moduleValue `yaml:"modules"`
	Web      struct {
		SecretName string `yaml:"secretName"`
		TLS        bool   `yaml:"tls"`
		BasicAuth  bool   `yaml:"basicAuth"`
	} `yaml:"webConfig"`
	Operator struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"prometheusOperator"`
}

type moduleValue struct {
	APIKeySecret   *secretRef `yaml:"apiKeySecret"`
	PasswordSecret *secretRef `yaml:"passwordSecret"`
	CA             *struct {
		ConfigMap string `yaml:"configMap"`
		Secret    string `yaml:"secret"`
		Key       string `yaml:"key"`
	} `yaml:"ca"`
	Targets       []string `yaml:"targets"`
	Interval      string   `yaml:"interval"`
	ScrapeTimeout string   `yaml:"scrapeTimeout"`
}

type secretRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

// get walks a decoded object along keys (map keys, or list indexes as ints) and returns what is
// there, or nil.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

// ofKind returns the rendered objects of a kind.
func ofKind(objs []obj, kind string) []obj {
	var out []obj
	for _, o := range objs {
		if o["kind"] == kind {
			out = append(out, o)
		}
	}
	return out
}

// one returns the single object of a kind, failing the test otherwise.
func one(t *testing.T, objs []obj, kind string) obj {
	t.Helper()
	all := ofKind(objs, kind)
	if len(all) != 1 {
		t.Fatalf("rendered %d objects of kind %s, want 1", len(all), kind)
	}
	return all[0]
}
