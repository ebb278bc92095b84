// Package web holds the exporter's HTTP routes and its landing page.
package web

import (
	"context"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// Deps is what the routes serve.
type Deps struct {
	Probe      *prober.Handler
	Config     *config.SafeConfig
	History    *prober.History
	Reload     func(context.Context) error
	Logger     log.Logger
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Paths is where the routes are served and what the pages' links start with; the zero value
	// serves them at "/".
	Paths Paths
}

// Routes returns the exporter's mux: every route under d.Paths' prefix.
func Routes(d Deps) *http.ServeMux {
	mux := http.NewServeMux()
	route := d.Paths.route
	mux.Handle(route("/probe"), d.Probe)
	mux.HandleFunc(route("/health"), d.Probe.ServeHealth)
	mux.Handle(route("/metrics"), promhttp.InstrumentMetricHandler(d.Registerer, promhttp.HandlerFor(d.Gatherer, promhttp.HandlerOpts{})))
	mux.HandleFunc(route("/-/healthy"), func(w http.ResponseWriter, _ *http.Request) { writeText(w, d.Logger, "Healthy\n") })
	mux.HandleFunc(route("/-/ready"), func(w http.ResponseWriter, _ *http.Request) { writeText(w, d.Logger, "Ready\n") })
	mux.HandleFunc(route("/-/reload"), func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "This endpoint requires a POST request.", http.StatusMethodNotAllowed)
			return
		}
		if err := d.Reload(r.Context()); err != nil {
			http.Error(w, "failed to reload config: "+err.Error(), http.StatusInternalServerError)
			return
		}
		writeText(w, d.Logger, "configuration reloaded\n")
	})
	mux.HandleFunc(route("/config"), func(w http.ResponseWriter, _ *http.Request) {
		out, err := yaml.Marshal(d.Config.Get())
		if err != nil {
			http.Error(w, "cannot marshal the configuration: "+err.Error(), http.StatusInternalServerError)
			return
		}
		writeText(w, d.Logger, string(out))
	})
	mux.HandleFunc(route("/logs"), func(w http.ResponseWriter, r *http.Request) { serveLogs(d, w, r) })
	prefix := d.Paths.prefix()
	mux.HandleFunc(prefix, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != prefix {
			http.NotFound(w, r)
			return
		}
		landingPage(d).ServeHTTP(w, landingRequest(r, d.Paths.linkBase()))
	})
	if prefix != "/" {
		mux.HandleFunc("/", d.Paths.redirectRoot)
	}
	return mux
}

var recentProbesTemplate = template.Must(template.New("recent").Parse(`
<h3>Recent probes</h3>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Time</th><th>Module</th><th>Target</th><th>Result</th><th>Debug</th></tr>
{{range .Probes}}<tr><td>{{.Time.UTC.Format "2006-01-02 15:04:05Z"}}</td><td>{{.Module}}</td><td>{{.Target}}</td><td>{{if .Success}}Success{{else}}<strong>Failure</strong>{{end}}</td><td><a href="{{$.Base}}logs?id={{.ID}}">Logs</a></td></tr>
{{else}}<tr><td colspan="5">No probes yet.</td></tr>
{{end}}</table>`))

// landingPage is built per request because it lists the recent probes. exporter-toolkit renders
// ExtraHTML as is, so the table is rendered by html/template first (targets come from requests).
// Its links start with the external URL's path (exporter-toolkit's RoutePrefix).
func landingPage(d Deps) http.Handler {
	var table strings.Builder
	recent := struct {
		Base   string
		Probes []prober.ProbeResult
	}{d.Paths.linkBase(), d.History.List()}
	if err := recentProbesTemplate.Execute(&table, recent); err != nil {
		table.Reset()
		table.WriteString(template.HTMLEscapeString(err.Error()))
	}
	example := "probe?module=" + prober.DefaultModule + "&target=nbu-primary.example.com"
	page, err := web.NewLandingPage(web.LandingConfig{
		RoutePrefix: d.Paths.linkBase(),
		Profiling:   "false", // no /debug/pprof route
		Name:        "NetBackup Exporter",
		Description: "Prometheus exporter for Veritas NetBackup primary servers",
		Version:     version.Info(),
		Links: []web.LandingLinks{
			{Address: "metrics", Text: "Metrics", Description: "the exporter's own metrics"},
			{Address: "config", Text: "Configuration", Description: "the loaded modules, secrets hidden"},
			{Address: example, Text: "Example probe"},
			{Address: example + "&debug=true", Text: "Example probe, debug output"},
			{Address: "health?module=" + prober.DefaultModule + "&target=nbu-primary.example.com", Text: "Example health check", Description: "200 if the primary answers an authenticated request, 503 with the reason if not"},
		},
		Form: web.LandingForm{
			Action: "probe",
			Inputs: []web.LandingFormInput{
				{Label: "Target", Type: "text", Name: "target", Placeholder: "nbu-primary.example.com"},
				{Label: "Module", Type: "text", Name: "module", Value: prober.DefaultModule},
				{Label: "Debug", Type: "text", Name: "debug", Value: "true"},
			},
		},
		ExtraHTML: table.String(),
	})
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "landing page: "+err.Error(), http.StatusInternalServerError)
		})
	}
	return page
}

// writeText answers text as plain text; a write error only means that the client went away.
func writeText(w http.ResponseWriter, logger log.Logger, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if _, err := io.WriteString(w, text); err != nil {
		level.Debug(logger).Log("msg", "writing response", "err", err)
	}
}

// landingRequest is r as exporter-toolkit's landing page serves it: that handler serves the path
// its links start with, which behind a proxy that rewrites paths is not the route prefix.
func landingRequest(r *http.Request, linkBase string) *http.Request {
	if r.URL.Path == linkBase {
		return r
	}
	r = r.Clone(r.Context())
	r.URL.Path = linkBase
	return r
}
