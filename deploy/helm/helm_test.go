//go:build helm

package helm_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// TestChartWiring renders the chart for one replica and for three (the values of ci/) and checks
// that its objects fit together.
func TestChartWiring(t *testing.T) {
	for _, file := range []string{"one-replica-values.yaml", "three-replicas-values.yaml"} {
		t.Run(file, func(t *testing.T) {
			v := values(t, file)
			objs := render(t, "--values", filepath.Join(chartDir, "ci", file))
			checkRendered(t, objs, v)
		})
	}
}

// TestChartDefaults renders the chart with values.yaml alone: one replica, one module.
func TestChartDefaults(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var v chartValues
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Replicas != 1 || len(v.Modules) != 1 {
		t.Fatalf("values.yaml: %d replicas, %d modules; the test expects the one-module default", v.Replicas, len(v.Modules))
	}
	checkRendered(t, render(t), v)
}

func checkRendered(t *testing.T, objs []obj, v chartValues) {
	t.Helper()
	w, p := workload(t, objs, v.Replicas)
	if port := p.listenPort(t); port != p.port {
		t.Fatalf("--web.listen-address port %d, container port %d", port, p.port)
	}
	modules, _ := modulesFile(t, objs, p)
	checkCredentials(t, p, modules, v)
	checkWebConfig(t, p, v)
	checkKubeletChecks(t, p, v)
	checkSecurity(t, p)
	checkNoSecrets(t, objs, modules)
	svc := checkService(t, objs, w, p, v.Replicas)
	checkServiceMonitor(t, objs, svc, v)
	checkAgainstCRDs(t, objs)
	if v.Replicas > 1 {
		checkShards(t, objs, w, svc, p, v)
	} else {
		checkProbes(t, objs, svc, p, v)
		if n := len(ofKind(objs, "ScrapeConfig")); n != 0 {
			t.Errorf("one replica rendered %d ScrapeConfigs", n)
		}
	}
}

// TestChartRefuses checks that the chart fails to render, naming the module and the key, rather
// than write a credential into the ConfigMap or leave a module without one.
func TestChartRefuses(t *testing.T) {
	cases := []struct {
		name, module, want string
	}{
		{"inline api key", `{apiKeySecret: {name: s, key: k}, targets: [h], settings: {api_key: e2e-inline-key-1234}}`, "modules.m.settings.api_key: credentials come from a Secret"},
		{"inline password", `{passwordSecret: {name: s, key: k}, targets: [h], settings: {username: u, password: e2e-inline-pass-1234}}`, "modules.m.settings.password: credentials come from a Secret"},
		{"key file in settings", `{apiKeySecret: {name: s, key: k}, targets: [h], settings: {api_key_file: /x}}`, "modules.m.settings.api_key_file"},
		{"inline TLS key", `{apiKeySecret: {name: s, key: k}, targets: [h], settings: {tls_config: {key: PRIVATE}}}`, "modules.m.settings.tls_config.key"},
		{"no credential", `{targets: [h], settings: {}}`, "modules.m: set apiKeySecret"},
		{"two credentials", `{apiKeySecret: {name: s, key: k}, passwordSecret: {name: s, key: p}, targets: [h], settings: {username: u}}`, "not both"},
		{"login without user", `{passwordSecret: {name: s, key: p}, targets: [h]}`, "passwordSecret needs settings.username"},
		{"secret without key", `{apiKeySecret: {name: s}, targets: [h]}`, "modules.m.apiKeySecret: name and key are required"},
		{"probe without targets", `{apiKeySecret: {name: s, key: k}}`, "modules.m.targets"},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, fmt.Sprintf("values%d.yaml", i))
			if err := os.WriteFile(file, []byte("modules: {m: "+c.module+"}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			// The values replace the default module rather than merge into it.
			out, err := helmTemplate(t, "--set", "modules.default=null", "--values", file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("helm template: %v, want an error with %q\n%s", err, c.want, out)
			}
		})
	}
}

// TestRenderedModulesLoad has the exporter load the modules.yml the chart renders (--config.check),
// with the mounted files laid out as the pod sees them under a temporary root: the keys and
// paths the chart writes are ones the exporter takes.
func TestRenderedModulesLoad(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "netbackup_exporter")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	caPEM, _, err := fakenbu.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"one-replica-values.yaml", "three-replicas-values.yaml"} {
		t.Run(file, func(t *testing.T) {
			objs := render(t, "--values", filepath.Join(chartDir, "ci", file))
			_, p := workload(t, objs, values(t, file).Replicas)
			modules, _ := modulesFile(t, objs, p)
			root := filepath.Join(dir, strings.TrimSuffix(file, ".yaml"))
			reroot := func(path string) string { return filepath.Join(root, path) }
			for _, m := range modules {
				for key, content := range map[string]string{"api_key_file": "helm-test-api-key-0123456789", "password_file": "helm-test-password-0123"} {
					if f := str(m, key); f != "" {
						writeFile(t, reroot(f), content+"\n")
						m[key] = reroot(f)
					}
				}
				if f := str(m, "tls_config", "ca_file"); f != "" {
					writeFile(t, reroot(f), string(caPEM))
					get(m, "tls_config").(map[string]any)["ca_file"] = reroot(f)
				}
			}
			out, err := yaml.Marshal(map[string]any{"modules": modules})
			if err != nil {
				t.Fatal(err)
			}
			cfg := reroot(p.args["--config.file"])
			writeFile(t, cfg, string(out))
			check := exec.Command(bin, "--config.check", "--config.file="+cfg)
			if msg, err := check.CombinedOutput(); err != nil {
				t.Errorf("the exporter refuses the rendered modules.yml: %v\n%s\n%s", err, msg, out)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestChartExistingConfigMap checks that configMap.existing replaces the rendered modules.yml: no
// ConfigMap is rendered, the pod mounts the named one, and the credentials are still mounted.
func TestChartExistingConfigMap(t *testing.T) {
	objs := render(t, "--set", "configMap.existing=my-modules", "--set", "configMap.key=nbu.yml")
	if n := len(ofKind(objs, "ConfigMap")); n != 0 {
		t.Errorf("configMap.existing set, yet %d ConfigMaps rendered", n)
	}
	_, p := workload(t, objs, 1)
	vol, name := p.mountedFile(t, p.args["--config.file"])
	if str(vol, "configMap", "name") != "my-modules" || name != "nbu.yml" || str(vol, "configMap", "items", 0, "key") != "nbu.yml" {
		t.Errorf("--config.file=%s on volume %v, want key nbu.yml of ConfigMap my-modules", p.args["--config.file"], vol)
	}
	if items := projectedItems(t, p.volumes["credentials"]); items["default.api-key"] != (projectedItem{"secret", "netbackup-api-keys", "default"}) {
		t.Errorf("credentials volume %v, want default.api-key from Secret netbackup-api-keys", items)
	}
}
