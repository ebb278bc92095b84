package web

import (
	"net/http"
	"strconv"

	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// serveLogs answers /logs with a probe's debug output (secrets hidden, as in every debug output):
// ?id=N for a probe of the landing page, or ?target=T[&module=M] for the newest probe of that
// target kept in the history, with that module or any (blackbox_exporter's /logs).
func serveLogs(d Deps, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, target, module := q.Get("id"), q.Get("target"), q.Get("module")
	var res prober.ProbeResult
	var found bool
	switch {
	case id != "" && target != "":
		http.Error(w, "parameters id and target cannot both be given", http.StatusBadRequest)
		return
	case id == "" && target == "":
		http.Error(w, "parameter id (a probe id from the landing page) or target (and module) is needed", http.StatusBadRequest)
		return
	case target == "" && module != "":
		http.Error(w, "parameter module selects among the probes of a target: give target too", http.StatusBadRequest)
		return
	case target != "":
		if res, found = d.History.Latest(target, module); !found {
			http.Error(w, "no probe of this target (and module) in the history (it keeps the most recent probes only)", http.StatusNotFound)
			return
		}
	default:
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			http.Error(w, "parameter id must be a probe id from the landing page", http.StatusBadRequest)
			return
		}
		if res, found = d.History.Get(n); !found {
			http.Error(w, "probe id not found (the history keeps the most recent probes only)", http.StatusNotFound)
			return
		}
	}
	writeText(w, d.Logger, res.DebugOutput)
}
