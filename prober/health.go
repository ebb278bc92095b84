package prober

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-kit/log/level"
)

// ServeHealth answers /health?target=&module=: 200 when the primary answers one authenticated
// request within the module's timeout, 503 with the reason when it does not. It asks NetBackup
// every time (through the target's session, so it reuses its connections and detected version):
// a cached version would only prove that the primary answered once.
func (h *Handler) ServeHealth(w http.ResponseWriter, r *http.Request) {
	req, rerr := h.parseRequest(r, h.Config())
	if rerr != nil {
		h.reject(w, "health", rerr)
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
	extendWriteDeadline(w, req.timeout)
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
