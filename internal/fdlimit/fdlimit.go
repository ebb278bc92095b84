// Package fdlimit shares the process's file descriptors between what the exporter must keep
// (its own files and listeners), the connections Prometheus makes to it, and the connections it
// makes to NetBackup, so that neither kind of connection can starve the other of descriptors
// ("too many open files").
package fdlimit

// Plan is how the descriptors are shared. The zero NetBackup means no bound (the limit is unknown
// or unlimited).
type Plan struct {
	Limit     uint64 // the process's limit on open files (soft, which Go raises to the hard one at start)
	Reserved  int    // standard streams, listeners, configuration, log and /proc files, DNS, tracing
	Inbound   int    // connections to the exporter: --web.max-connections, lowered to fit
	NetBackup int    // connections to NetBackup, idle or in use, across all sessions
}

// Bounds of a plan: a limit under minLimit leaves too little for a working exporter, and past
// maxNetBackup more connections would only hold memory.
const (
	baseReserve  = 64
	minLimit     = baseReserve + 32
	maxNetBackup = 1 << 20
)

// Size plans limit descriptors for an exporter allowed maxInbound connections. A reserve of 64
// plus 1/32 of the limit (at most 4,096) is kept for files and listeners; Prometheus's
// connections get at most half of the rest, NetBackup's the others.
func Size(limit uint64, maxInbound int) Plan {
	if limit == 0 || limit >= 1<<62 {
		return Plan{Limit: limit, Inbound: maxInbound}
	}
	p := Plan{Limit: limit}
	if limit < minLimit {
		// Too few to share: a few of each, and the operator is told.
		p.Reserved, p.Inbound, p.NetBackup = int(limit)/2, max(int(limit)/4, 1), max(int(limit)/4, 1)
		return p
	}
	p.Reserved = baseReserve + int(min(limit/32, 4096))
	avail := int(min(limit, 1<<40)) - p.Reserved
	p.Inbound = min(maxInbound, avail/2)
	p.NetBackup = min(avail-p.Inbound, maxNetBackup)
	return p
}

// Enough reports whether the limit leaves a working share for both kinds of connection.
func (p Plan) Enough() bool { return p.Limit == 0 || p.Limit >= minLimit }
