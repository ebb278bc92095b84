//go:build helm

package helm_test

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// pod is what the assertions need of the rendered workload's pod.
type pod struct {
	labels    map[string]any
	spec      obj
	container obj
	args      map[string]string // --flag=value
	port      int               // the container port named http
	mounts    map[string]string // volume name -> mount path
	volumes   map[string]obj    // volume name -> volume
}

// workload returns the pod of the Deployment (one replica) or of the StatefulSet (several), and
// checks that the other is absent.
func workload(t *testing.T, objs []obj, replicas int) (obj, pod) {
	t.Helper()
	kind, absent := "Deployment", "StatefulSet"
	if replicas > 1 {
		kind, absent = absent, kind
	}
	if n := len(ofKind(objs, absent)); n != 0 {
		t.Errorf("%d replicas rendered a %s", replicas, absent)
	}
	w := one(t, objs, kind)
	if got, _ := get(w, "spec", "replicas").(int); got != replicas {
		t.Errorf("%s replicas %d, want %d", kind, got, replicas)
	}
	var p pod
	p.labels, _ = get(w, "spec", "template", "metadata", "labels").(map[string]any)
	p.spec, _ = get(w, "spec", "template", "spec").(obj)
	containers := list(p.spec, "containers")
	if len(containers) != 1 {
		t.Fatalf("%s has %d containers, want 1", kind, len(containers))
	}
	p.container = containers[0].(obj)
	p.args = map[string]string{}
	for _, a := range list(p.container, "args") {
		flag, value, _ := strings.Cut(a.(string), "=")
		p.args[flag] = value
	}
	for _, cp := range list(p.container, "ports") {
		if str(cp, "name") == "http" {
			p.port, _ = get(cp, "containerPort").(int)
		}
	}
	p.mounts = map[string]string{}
	for _, m := range list(p.container, "volumeMounts") {
		if get(m, "readOnly") != true || get(m, "subPath") != nil {
			t.Errorf("volume mount %v: want readOnly and no subPath (a subPath never sees ConfigMap updates)", m)
		}
		p.mounts[str(m, "name")] = str(m, "mountPath")
	}
	p.volumes = map[string]obj{}
	for _, v := range list(p.spec, "volumes") {
		p.volumes[str(v, "name")] = v.(obj)
	}
	return w, p
}

// mountedFile resolves a path the exporter is given to the volume mounted above it and the file
// name within, failing the test when no volume is mounted at its directory.
func (p pod) mountedFile(t *testing.T, file string) (volume obj, name string) {
	t.Helper()
	dir, name := path.Split(file)
	for vol, mountPath := range p.mounts {
		if strings.TrimSuffix(dir, "/") == mountPath {
			return p.volumes[vol], name
		}
	}
	t.Fatalf("%s: no volume is mounted at %s (mounts %v)", file, dir, p.mounts)
	return nil, ""
}

// listenPort is the port of --web.listen-address.
func (p pod) listenPort(t *testing.T) int {
	t.Helper()
	addr, ok := p.args["--web.listen-address"]
	if !ok {
		t.Fatal("the exporter has no --web.listen-address")
	}
	_, port, _ := strings.Cut(addr, ":")
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("--web.listen-address=%s: %v", addr, err)
	}
	return n
}

// modulesFile checks that --config.file is the ConfigMap's key where the ConfigMap volume is
// mounted, and returns the parsed modules.yml and the ConfigMap.
func modulesFile(t *testing.T, objs []obj, p pod) (map[string]map[string]any, obj) {
	t.Helper()
	file := p.args["--config.file"]
	vol, name := p.mountedFile(t, file)
	cm := one(t, objs, "ConfigMap")
	if got := str(vol, "configMap", "name"); got != str(cm, "metadata", "name") {
		t.Fatalf("--config.file=%s is on volume of ConfigMap %q, the chart renders %q", file, got, str(cm, "metadata", "name"))
	}
	items := list(vol, "configMap", "items")
	if len(items) != 1 || str(items[0], "path") != name {
		t.Fatalf("--config.file=%s: the ConfigMap volume's items %v do not hold %s", file, items, name)
	}
	data := str(cm, "data", str(items[0], "key"))
	if data == "" {
		t.Fatalf("ConfigMap %s has no key %s", str(cm, "metadata", "name"), str(items[0], "key"))
	}
	var cfg struct {
		Modules map[string]map[string]any `yaml:"modules"`
	}
	if err := yaml.Unmarshal([]byte(data), &cfg); err != nil {
		t.Fatalf("the rendered modules.yml: %v\n%s", err, data)
	}
	return cfg.Modules, cm
}

// projectedItem is one file of the projected credentials volume.
type projectedItem struct {
	kind, name, key string // kind is "secret" or "configMap"
}

// projectedItems maps each file of a projected volume to the Secret or ConfigMap key behind it.
func projectedItems(t *testing.T, vol obj) map[string]projectedItem {
	t.Helper()
	out := map[string]projectedItem{}
	for _, src := range list(vol, "projected", "sources") {
		for _, kind := range []string{"secret", "configMap"} {
			for _, it := range list(src, kind, "items") {
				file := str(it, "path")
				if _, dup := out[file]; dup {
					t.Errorf("projected volume: two sources write %s", file)
				}
				out[file] = projectedItem{kind, str(src, kind, "name"), str(it, "key")}
			}
		}
	}
	return out
}

// checkCredentials checks each module's credential and CA file: modules.yml names a file of the
// mounted projected volume, fed by the Secret (or ConfigMap, for a CA) key the values name, and
// the volume holds nothing modules.yml does not name.
func checkCredentials(t *testing.T, p pod, modules map[string]map[string]any, v chartValues) {
	t.Helper()
	named := map[string]bool{}
	var vol obj
	want := func(module, file string, item projectedItem) {
		if file == "" {
			t.Errorf("module %s: modules.yml names no file for %s %s/%s", module, item.kind, item.name, item.key)
			return
		}
		fv, name := p.mountedFile(t, file)
		if vol != nil && fmt.Sprint(fv) != fmt.Sprint(vol) {
			t.Errorf("module %s: %s is on another volume than the other credentials", module, file)
		}
		vol = fv
		if got := projectedItems(t, fv)[name]; got != item {
			t.Errorf("module %s: %s is mounted from %+v, want %+v", module, file, got, item)
		}
		named[name] = true
	}
	for name, m := range v.Modules {
		mod := modules[name]
		if mod == nil {
			t.Errorf("modules.yml lacks module %s", name)
			continue
		}
		switch {
		case m.APIKeySecret != nil:
			want(name, str(mod, "api_key_file"), projectedItem{"secret", m.APIKeySecret.Name, m.APIKeySecret.Key})
		case m.PasswordSecret != nil:
			want(name, str(mod, "password_file"), projectedItem{"secret", m.PasswordSecret.Name, m.PasswordSecret.Key})
		}
		if m.CA != nil {
			item := projectedItem{"configMap", m.CA.ConfigMap, m.CA.Key}
			if m.CA.Secret != "" {
				item = projectedItem{"secret", m.CA.Secret, m.CA.Key}
			}
			want(name, str(mod, "tls_config", "ca_file"), item)
		}
	}
	if len(modules) != len(v.Modules) {
		t.Errorf("modules.yml has %d modules, the values %d", len(modules), len(v.Modules))
	}
	for file := range projectedItems(t, vol) {
		if !named[file] {
			t.Errorf("the credentials volume holds %s, which modules.yml does not name", file)
		}
	}
}

// checkWebConfig checks --web.config.file against the web config Secret's volume.
func checkWebConfig(t *testing.T, p pod, v chartValues) {
	t.Helper()
	file, set := p.args["--web.config.file"]
	if v.Web.SecretName == "" {
		if set {
			t.Errorf("--web.config.file=%s without webConfig.secretName", file)
		}
		return
	}
	if !set {
		t.Fatalf("webConfig.secretName is %s but the exporter has no --web.config.file", v.Web.SecretName)
	}
	vol, name := p.mountedFile(t, file)
	if got := str(vol, "secret", "secretName"); got != v.Web.SecretName || name != "web-config.yml" {
		t.Errorf("--web.config.file=%s is %s of Secret %q, want web-config.yml of %q", file, name, got, v.Web.SecretName)
	}
}

// checkKubeletChecks checks the liveness and readiness checks: GET /-/healthy and /-/ready on
// the exporter's port (https with a TLS web config), or a TCP connect to it under basic auth.
func checkKubeletChecks(t *testing.T, p pod, v chartValues) {
	t.Helper()
	scheme := "HTTP"
	if v.Web.TLS {
		scheme = "HTTPS"
	}
	for probe, want := range map[string]string{"livenessProbe": "/-/healthy", "readinessProbe": "/-/ready"} {
		check := get(p.container, probe)
		if v.Web.BasicAuth {
			if port := get(check, "tcpSocket", "port"); port != "http" && port != p.port {
				t.Errorf("%s: %v, want a TCP connect to the exporter's port", probe, check)
			}
			continue
		}
		if str(check, "httpGet", "path") != want || str(check, "httpGet", "scheme") != scheme {
			t.Errorf("%s: %v, want GET %s over %s", probe, check, want, scheme)
		}
		if port := get(check, "httpGet", "port"); port != "http" && port != p.port {
			t.Errorf("%s on port %v, the exporter listens on %d", probe, port, p.port)
		}
	}
}

// checkSecurity checks the secure defaults of the pod and its container.
func checkSecurity(t *testing.T, p pod) {
	t.Helper()
	sc := get(p.container, "securityContext")
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"allowPrivilegeEscalation"}, false},
		{[]any{"readOnlyRootFilesystem"}, true},
		{[]any{"runAsNonRoot"}, true},
		{[]any{"capabilities", "drop", 0}, "ALL"},
	} {
		if got := get(sc, c.path...); got != c.want {
			t.Errorf("container securityContext %v: %v, want %v", c.path, got, c.want)
		}
	}
	if get(p.spec, "securityContext", "runAsNonRoot") != true || get(p.spec, "automountServiceAccountToken") != false {
		t.Errorf("pod: want runAsNonRoot and no service account token, got %v", p.spec["securityContext"])
	}
	for _, r := range []string{"requests", "limits"} {
		if get(p.container, "resources", r, "memory") == nil {
			t.Errorf("container resources: no %s.memory", r)
		}
	}
}

// checkService checks the Service in front of the pods: the exporter's port, a selector that
// picks the pod, headless when there are several pods.
func checkService(t *testing.T, objs []obj, w obj, p pod, replicas int) obj {
	t.Helper()
	svc := one(t, objs, "Service")
	ports := list(svc, "spec", "ports")
	if len(ports) != 1 || get(ports[0], "port") != p.port || (get(ports[0], "targetPort") != "http" && get(ports[0], "targetPort") != p.port) {
		t.Errorf("Service ports %v, want %d to the container's port %d", ports, p.port, p.port)
	}
	for k, val := range get(svc, "spec", "selector").(map[string]any) {
		if p.labels[k] != val {
			t.Errorf("Service selector %s=%v does not match the pod's labels %v", k, val, p.labels)
		}
	}
	if replicas > 1 {
		if str(svc, "spec", "clusterIP") != "None" || str(w, "spec", "serviceName") != str(svc, "metadata", "name") {
			t.Errorf("StatefulSet serviceName %q, Service %q clusterIP %q: want the headless Service", str(w, "spec", "serviceName"), str(svc, "metadata", "name"), str(svc, "spec", "clusterIP"))
		}
	}
	return svc
}

// checkNoSecrets checks that the chart renders no Secret and that modules.yml holds no inline
// credential: the keys come from mounted files only.
func checkNoSecrets(t *testing.T, objs []obj, modules map[string]map[string]any) {
	t.Helper()
	if n := len(ofKind(objs, "Secret")); n != 0 {
		t.Errorf("the chart rendered %d Secrets: credentials are the operator's Secrets, referenced only", n)
	}
	for name, m := range modules {
		for _, k := range []string{"api_key", "api_key_env", "password", "password_env"} {
			if _, ok := m[k]; ok {
				t.Errorf("modules.yml, module %s: %s is set in the ConfigMap", name, k)
			}
		}
		if get(m, "tls_config", "key") != nil {
			t.Errorf("modules.yml, module %s: tls_config.key (a private key) is in the ConfigMap", name)
		}
	}
}

// checkServiceMonitor checks the ServiceMonitor: /metrics on the Service's port, selecting the
// Service, with the operator labels the values give.
func checkServiceMonitor(t *testing.T, objs []obj, svc obj, v chartValues) {
	t.Helper()
	sm := one(t, objs, "ServiceMonitor")
	if str(sm, "apiVersion") != "monitoring.coreos.com/v1" {
		t.Errorf("ServiceMonitor apiVersion %s", str(sm, "apiVersion"))
	}
	ep := get(sm, "spec", "endpoints", 0)
	if str(ep, "port") != str(svc, "spec", "ports", 0, "name") || str(ep, "path") != "/metrics" {
		t.Errorf("ServiceMonitor endpoint %v, want /metrics on Service port %q", ep, str(svc, "spec", "ports", 0, "name"))
	}
	svcLabels, _ := get(svc, "metadata", "labels").(map[string]any)
	for k, val := range get(sm, "spec", "selector", "matchLabels").(map[string]any) {
		if svcLabels[k] != val {
			t.Errorf("ServiceMonitor selector %s=%v does not match the Service's labels", k, val)
		}
	}
	checkOperatorObject(t, sm, v)
}

// checkOperatorObject checks what every Prometheus Operator object carries: the labels a
// Prometheus selects on, and https with a TLS web config.
func checkOperatorObject(t *testing.T, o obj, v chartValues) {
	t.Helper()
	for k, val := range v.Operator.Labels {
		if str(o, "metadata", "labels", k) != val {
			t.Errorf("%s %s: label %s is %q, want %q", o["kind"], str(o, "metadata", "name"), k, str(o, "metadata", "labels", k), val)
		}
	}
	scheme := str(o, "spec", "prober", "scheme") + str(o, "spec", "scheme") + str(o, "spec", "endpoints", 0, "scheme")
	if want := map[bool]string{true: "HTTPS", false: "HTTP"}[v.Web.TLS]; scheme != want {
		t.Errorf("%s %s: scheme %q, want %q", o["kind"], str(o, "metadata", "name"), scheme, want)
	}
}

func sortedStrings(l []any) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = fmt.Sprint(s)
	}
	slices.Sort(out)
	return out
}
