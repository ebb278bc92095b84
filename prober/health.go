package prober

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// request is what /probe and /health both accept: a module, a target that module may be used
// against, and the time budget.
type request struct {
	moduleName string
	module     *config.Module
	target     Target
	timeout    time.Duration
}

// requestError is a request that is turned away before anything touches the network.
type requestError struct {
	status int
	reason string // for netbackup_exporter_probe_requests_rejected_total
	msg    string
}

// parseRequest validates the module and target parameters of r against cfg, in the order /probe
// and /health share: the module first, so that the allow-list check knows whose list to use.
func (h *Handler) parseRequest(r *http.Request, cfg *config.Config) (request, *requestError) {
	bad := func(status int, reason string, format string, args ...any) (request, *requestError) {
		return request{}, &requestError{status: status, reason: reason, msg: fmt.Sprintf(format, args...)}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return bad(http.StatusMethodNotAllowed, rejectBadRequest, "method %s not allowed", r.Method)
	}
	params := r.URL.Query()
	moduleName, err := singleParam(params["module"], "module", DefaultModule)
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "%v", err)
	}
	var module *config.Module
	if cfg != nil {
		module = cfg.Modules[moduleName]
	}
	if module == nil {
		return bad(http.StatusBadRequest, rejectUnknownModule, "unknown module %q", clip(moduleName))
	}
	rawTarget, err := singleParam(params["target"], "target", "")
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "%v", err)
	}
	target, err := ParseTarget(rawTarget)
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "invalid target: %v", err)
	}
	// Checked before anything touches the network: the module's API key must only ever be sent to
	// the primaries the operator listed.
	if !module.TargetAllowed(target.Host, target.Port) {
		return bad(http.StatusForbidden, rejectTargetNotAllow,
			"module %q may not be used against target %q: it is not in the module's allowed_targets", moduleName, target.Host+":"+target.Port)
	}
	if target.Scheme == "http" && !module.InsecureHTTP {
		return bad(http.StatusForbidden, rejectTargetNotAllow,
			"module %q may not be used against target %q: http:// would send its API key in clear (the module must set insecure_http: true to allow it)", moduleName, target.BaseURL)
	}
	timeout, err := probeTimeout(r, time.Duration(module.Timeout), h.TimeoutOffset)
	if err != nil {
		return bad(http.StatusBadRequest, rejectBadRequest, "%v", err)
	}
	return request{moduleName: moduleName, module: module, target: target, timeout: timeout}, nil
}

// ServeHealth answers /health?target=&module=: 200 when the primary answers one authenticated
// request within the module's timeout, 503 with the reason when it does not. It asks NetBackup
// every time (through the target's session, so it reuses its connections and detected version):
// a cached version would only prove that the primary answered once.
func (h *Handler) ServeHealth(w http.ResponseWriter, r *http.Request) {
	req, rerr := h.parseRequest(r, h.Config())
	if rerr != nil {
		if rerr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "GET, HEAD")
		}
		level.Debug(h.Logger).Log("msg", "health request rejected", "reason", rerr.msg)
		http.Error(w, rerr.msg, rerr.status)
		return
	}
	logger := h.Logger
	sess, err := h.Sessions.get(req.module, req.target)
	if err != nil {
		level.Warn(logger).Log("msg", "health check: cannot set up the NetBackup client", "module", req.moduleName, "target", req.target.BaseURL, "err", err)
		http.Error(w, fmt.Sprintf("NetBackup primary %s: %v", req.target.BaseURL, err), http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), req.timeout)
	defer cancel()
	start := time.Now()
	version, err := sess.client.Check(ctx)
	elapsed := time.Since(start)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		level.Debug(logger).Log("msg", "health check failed", "module", req.moduleName, "target", req.target.BaseURL, "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "NetBackup primary %s failed the health check (module %q, timeout %s): %v\n", req.target.BaseURL, req.moduleName, req.timeout, err)
		return
	}
	level.Debug(logger).Log("msg", "health check passed", "module", req.moduleName, "target", req.target.BaseURL, "version", version)
	fmt.Fprintf(w, "OK: NetBackup primary %s answered an authenticated request in %.3fs (API version %s, module %q)\n",
		req.target.BaseURL, elapsed.Seconds(), version, req.moduleName)
}
