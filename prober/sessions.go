package prober

import (
	"fmt"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A session is what the exporter keeps between probes of one target with one module: the NetBackup
// client (its connection pool, its detected API version and its cap on concurrent requests) and
// each collector's state. It is keyed by the module's fingerprint too, so a reload that changes the
// module's key or TLS settings starts afresh instead of reusing a client built from the old ones.
type session struct {
	key    string
	module string
	target Target
	client *nbu.Client

	mu    sync.Mutex
	slots map[string]*collectorSlot
}

// collectorSlot is one collector's share of a session: its state, and the run that serialises
// and caches its collections.
type collectorSlot struct {
	state CollectorState
	run   sharedRun
}

// slot returns the session's slot for c, creating its state on first use.
func (s *session) slot(c Collector) *collectorSlot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl := s.slots[c.Name()]; sl != nil {
		return sl
	}
	if s.slots == nil {
		s.slots = map[string]*collectorSlot{}
	}
	sl := &collectorSlot{state: c.NewState()}
	s.slots[c.Name()] = sl
	return sl
}

// Sessions holds the sessions for every target probed recently. Entries expire when a target has
// not been probed for idleTTL; expired sessions close their idle connections.
type Sessions struct {
	mu        sync.Mutex
	sessions  *cache.Cache
	idleTTL   time.Duration
	lastSweep time.Time
	now       func() time.Time
	onRequest func(endpoint string, code int, d time.Duration)
	tracing   clientTracing
}

// NewSessions returns an empty session store. onRequest, when not nil, observes every NetBackup
// HTTP request (for the exporter's own metrics).
func NewSessions(idleTTL time.Duration, onRequest func(endpoint string, code int, d time.Duration), opts ...SessionOption) *Sessions {
	// No janitor goroutine: expired entries are swept from get(), so a stopped exporter (or a test)
	// leaves nothing running behind it.
	c := cache.New(idleTTL, 0)
	c.OnEvicted(func(_ string, v any) { v.(*session).client.Close() })
	s := &Sessions{sessions: c, idleTTL: idleTTL, now: time.Now, onRequest: onRequest}
	for _, o := range opts {
		o(s)
	}
	return s
}

func sessionKey(m *config.Module, t Target) string {
	return m.Name + "\x00" + m.Fingerprint() + "\x00" + t.BaseURL
}

// get returns the session for module and target, creating it on first use.
func (s *Sessions) get(m *config.Module, t Target) (*session, error) {
	key := sessionKey(m, t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.now(); now.Sub(s.lastSweep) > time.Minute {
		s.lastSweep = now
		s.sessions.DeleteExpired()
	}
	if v, ok := s.sessions.Get(key); ok {
		sess := v.(*session)
		s.sessions.SetDefault(key, sess) // probing a target keeps its session alive
		return sess, nil
	}
	tlsCfg, err := m.NewTLSConfig()
	if err != nil {
		return nil, fmt.Errorf("module %q: tls_config: %w", m.Name, err)
	}
	opts := nbu.Options{
		BaseURL:               t.BaseURL,
		APIKey:                m.APIKeyValue(),
		APIVersion:            m.APIVersion,
		TLSConfig:             tlsCfg,
		MaxConcurrentRequests: m.MaxConcurrentRequests,
		UserAgent:             userAgent,
		OnRequest:             s.onRequest,
	}
	s.tracing.apply(&opts)
	client, err := nbu.NewClient(opts)
	if err != nil {
		return nil, fmt.Errorf("module %q, target %q: %w", m.Name, t.BaseURL, err)
	}
	sess := &session{key: key, module: m.Name, target: t, client: client}
	s.sessions.SetDefault(key, sess)
	return sess, nil
}

// Close drops every session and closes their idle NetBackup connections (at shutdown).
func (s *Sessions) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.sessions.Items() {
		s.sessions.Delete(k)
	}
}

// Len is the number of live sessions.
func (s *Sessions) Len() int { return s.sessions.ItemCount() }
