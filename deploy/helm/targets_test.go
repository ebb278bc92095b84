//go:build helm

package helm_test

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// serviceHost is the Service's DNS name as the chart gives it to Prometheus.
func serviceHost(svc obj) string {
	return fmt.Sprintf("%s.%s.svc.cluster.local", str(svc, "metadata", "name"), namespace)
}

// checkProbes checks one Probe per module: the exporter's Service and port as prober, /probe,
// the module, its primaries as static targets and the interval and timeout of the values.
func checkProbes(t *testing.T, objs []obj, svc obj, p pod, v chartValues) {
	t.Helper()
	probes := ofKind(objs, "Probe")
	if len(probes) != len(v.Modules) {
		t.Fatalf("%d Probes for %d modules", len(probes), len(v.Modules))
	}
	seen := map[string]bool{}
	for _, pr := range probes {
		name := str(pr, "spec", "module")
		m, ok := v.Modules[name]
		if !ok || seen[name] {
			t.Errorf("Probe %s: module %q is not one of the values' or has two Probes", str(pr, "metadata", "name"), name)
			continue
		}
		seen[name] = true
		if str(pr, "apiVersion") != "monitoring.coreos.com/v1" {
			t.Errorf("Probe %s: apiVersion %s", name, str(pr, "apiVersion"))
		}
		if want := fmt.Sprintf("%s:%d", serviceHost(svc), p.port); str(pr, "spec", "prober", "url") != want {
			t.Errorf("Probe %s: prober url %q, want %q", name, str(pr, "spec", "prober", "url"), want)
		}
		if str(pr, "spec", "prober", "path") != "/probe" || !strings.HasPrefix(str(pr, "spec", "jobName"), "netbackup") {
			t.Errorf("Probe %s: prober %v job %q, want /probe and a netbackup job", name, get(pr, "spec", "prober"), str(pr, "spec", "jobName"))
		}
		got := sortedStrings(list(pr, "spec", "targets", "staticConfig", "static"))
		want := slices.Sorted(slices.Values(m.Targets))
		if !slices.Equal(got, want) || str(pr, "spec", "targets", "staticConfig", "labels", "module") != name {
			t.Errorf("Probe %s: targets %v labels %v, want %v with module=%s", name, got, get(pr, "spec", "targets", "staticConfig", "labels"), want, name)
		}
		interval, timeout := cmp(m.Interval, "60s"), cmp(m.ScrapeTimeout, "30s")
		if str(pr, "spec", "interval") != interval || str(pr, "spec", "scrapeTimeout") != timeout {
			t.Errorf("Probe %s: interval %s timeout %s, want %s and %s", name, str(pr, "spec", "interval"), str(pr, "spec", "scrapeTimeout"), interval, timeout)
		}
		checkOperatorObject(t, pr, v)
	}
}

func cmp(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// checkShards checks the ScrapeConfig of several replicas: the relabelling, applied the way
// Prometheus does to every primary of the values, sends it to the pod its hashmod shard names
// (shard N to pod N of the StatefulSet, through the headless Service, on the exporter's port),
// with its target and module as parameters.
func checkShards(t *testing.T, objs []obj, w, svc obj, p pod, v chartValues) {
	t.Helper()
	sc := one(t, objs, "ScrapeConfig")
	if str(sc, "apiVersion") != "monitoring.coreos.com/v1alpha1" || str(sc, "spec", "metricsPath") != "/probe" {
		t.Errorf("ScrapeConfig: apiVersion %s metricsPath %s", str(sc, "apiVersion"), str(sc, "spec", "metricsPath"))
	}
	checkOperatorObject(t, sc, v)
	pods := make([]string, v.Replicas)
	for i := range pods {
		pods[i] = fmt.Sprintf("%s-%d.%s:%d", str(w, "metadata", "name"), i, serviceHost(svc), p.port)
	}
	rules := list(sc, "spec", "relabelings")
	checkShardAddresses(t, rules, pods)
	probed := 0
	for _, group := range list(sc, "spec", "staticConfigs") {
		module := str(group, "labels", "module")
		for _, target := range list(group, "targets") {
			probed++
			labels := map[string]string{"__address__": target.(string), "module": module}
			if !relabel(t, labels, rules) {
				t.Errorf("ScrapeConfig drops %s", target)
				continue
			}
			shard := hashmod(target.(string), v.Replicas)
			want := map[string]string{"__address__": pods[shard], "__param_target": target.(string), "instance": target.(string), "__param_module": module}
			for k, val := range want {
				if labels[k] != val {
					t.Errorf("ScrapeConfig: %s (module %s, shard %d): %s = %q, want %q", target, module, shard, k, labels[k], val)
				}
			}
		}
	}
	if want := countTargets(v); probed != want {
		t.Errorf("ScrapeConfig probes %d primaries, the values list %d", probed, want)
	}
	if n := len(ofKind(objs, "Probe")); n != 0 {
		t.Errorf("%d replicas rendered %d Probes: they would send every primary to any pod", v.Replicas, n)
	}
}

// checkShardAddresses checks the rules that set __address__ from the shard: one per pod, shard N
// to pod N, and a keep rule for exactly those shards.
func checkShardAddresses(t *testing.T, rules []any, pods []string) {
	t.Helper()
	got := map[string]string{}
	keep := ""
	for _, r := range rules {
		if src := list(r, "sourceLabels"); len(src) != 1 || src[0] != "__tmp_shard" {
			continue
		}
		if str(r, "action") == "keep" {
			keep = str(r, "regex")
			continue
		}
		if str(r, "targetLabel") == "__address__" {
			got[str(r, "regex")] = str(r, "replacement")
		}
	}
	shards := make([]string, len(pods))
	for i, addr := range pods {
		shards[i] = fmt.Sprint(i)
		if got[shards[i]] != addr {
			t.Errorf("shard %d goes to %q, want pod %d at %q", i, got[shards[i]], i, addr)
		}
	}
	if len(got) != len(pods) || keep != strings.Join(shards, "|") {
		t.Errorf("shard rules %v keep %q, want one per pod of %d and keep %q", got, keep, len(pods), strings.Join(shards, "|"))
	}
}

func countTargets(v chartValues) int {
	n := 0
	for _, m := range v.Modules {
		n += len(m.Targets)
	}
	return n
}

// relabel applies the operator's relabelings (replace, keep and hashmod, the actions the chart
// uses) to labels as Prometheus does, and reports whether the target is kept.
func relabel(t *testing.T, labels map[string]string, rules []any) bool {
	t.Helper()
	for _, r := range rules {
		var src []string
		for _, s := range list(r, "sourceLabels") {
			src = append(src, labels[s.(string)])
		}
		value := strings.Join(src, ";")
		re := regexp.MustCompile("^(?:" + cmp(str(r, "regex"), "(.*)") + ")$")
		switch action := strings.ToLower(cmp(str(r, "action"), "replace")); action {
		case "keep":
			if !re.MatchString(value) {
				return false
			}
		case "hashmod":
			mod, _ := get(r, "modulus").(int)
			if mod < 1 {
				t.Errorf("hashmod rule %v: the modulus is not a positive integer", r)
				return false
			}
			labels[str(r, "targetLabel")] = fmt.Sprint(hashmod(value, mod))
		case "replace":
			m := re.FindStringSubmatchIndex(value)
			if m == nil {
				continue
			}
			repl, ok := get(r, "replacement").(string)
			if !ok {
				repl = "$1"
			}
			labels[str(r, "targetLabel")] = string(re.ExpandString(nil, repl, value, m))
		default:
			t.Fatalf("relabel action %q: not one the chart uses", action)
		}
	}
	return true
}

// hashmod is Prometheus's relabel action of that name.
func hashmod(value string, modulus int) int {
	sum := md5.Sum([]byte(value))
	return int(binary.BigEndian.Uint64(sum[8:]) % uint64(modulus))
}
