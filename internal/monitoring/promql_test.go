package monitoring

import (
	"slices"
	"strings"
	"testing"
)

func TestMetricNames(t *testing.T) {
	cases := []struct {
		expr string
		want []string
	}{
		{`probe_success == 0`, []string{"probe_success"}},
		{`up{job=~"netbackup.*", instance="a:1"}`, []string{"up"}},
		{`sum by (job, instance) (nbu_jobs_count{status!~"0|1"}) / sum by (job, instance) (nbu_jobs_count)`, []string{"nbu_jobs_count"}},
		{`sum(x) without (le) > bool 0`, []string{"x"}},
		{`a / ignoring (size) (b > 0) * on (job) group_left (name) c`, []string{"a", "b", "c"}},
		{`a * on (job) group_left d`, []string{"a", "d"}},
		{`histogram_quantile(0.9, sum by (le) (rate(h_bucket[$__rate_interval])))`, []string{"h_bucket"}},
		{`predict_linear(avail[6h], 24 * 3600) <= 0 and on (name) x offset 6h`, []string{"avail", "x"}},
		{`max_over_time(deriv(m[1h:5m])[2h:]) @ end()`, []string{"m"}},
		{`topk(10, time() - ts{client=~"${client:regex}"}) or vector(0)`, []string{"ts"}},
		{`label_replace(a, "dst", "$1", "src", "(.*)") unless b`, []string{"a", "b"}},
		{"# a comment naming not_a_metric\nreal_metric # and another_comment", []string{"real_metric"}},
		{`count_values("v", x) + Inf - NaN + 1e9 + 0x1f + .5`, []string{"x"}},
		{`SUM BY (instance) (level:recorded:rate5m)`, []string{"level:recorded:rate5m"}},
		{`a{l="}"} + b{l='{'} + c{l=` + "`]`" + `}`, []string{"a", "b", "c"}},
		{`$metric + [[other]] + real`, []string{"real"}},
		{`vector(1)`, nil},
	}
	for _, c := range cases {
		got, err := MetricNames(c.expr)
		if err != nil {
			t.Errorf("MetricNames(%q): %v", c.expr, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("MetricNames(%q) = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestMetricNamesMalformed(t *testing.T) {
	for _, expr := range []string{`a{l="x}`, `a{l="x"`, `rate(a[5m)`, `a}`, `"unclosed`} {
		if got, err := MetricNames(expr); err == nil {
			t.Errorf("MetricNames(%q) = %q, want an error", expr, got)
		}
	}
}

func TestVariableSelector(t *testing.T) {
	cases := map[string]string{
		`label_values(probe_success, instance)`:                         "probe_success",
		`label_values(probe_success{instance=~"$instance"}, module)`:    `probe_success{instance=~"$instance"}`,
		`label_values(instance)`:                                        "",
		`query_result(topk(5, nbu_jobs_count))`:                         "topk(5, nbu_jobs_count)",
		`label_names()`:                                                 "",
		` label_values( nbu_jobs_state_count{instance=~"$i"} , action)`: `nbu_jobs_state_count{instance=~"$i"}`,
	}
	for q, want := range cases {
		if got := variableSelector(q); got != want {
			t.Errorf("variableSelector(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"instance": ".*", "__rate_interval": "5m", "client": "c1"}
	got, err := Substitute(`rate(a{instance=~"$instance", c="${client:regex}", d="[[client]]"}[$__rate_interval])`, vars)
	if err != nil {
		t.Fatal(err)
	}
	if want := `rate(a{instance=~".*", c="c1", d="c1"}[5m])`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := Substitute(`a{x="$unknown"}`, vars); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("an unknown variable: err = %v", err)
	}
}
