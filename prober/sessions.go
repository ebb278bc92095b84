package prober

import (
	"container/list"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	gocache "github.com/patrickmn/go-cache"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A session is what the exporter keeps between probes of one target with one module: the NetBackup
// client (its connection pool, its detected API version and its cap on concurrent requests) and
// each collector's state. It is keyed by the module's session fingerprint too, so a reload that
// changes the module's TLS settings or what it collects starts afresh instead of reusing a client
// built from the old ones. Credentials are not in that key: a rotated key or password is handed to
// the live client, so the target keeps its job counters (no reset, no second backfill).
type session struct {
	key    string
	client *nbu.Client
	// results is the store's cache of the collectors' last results (their cache_ttl).
	results *gocache.Cache

	lastProbed time.Time // guarded by the store's lock
	mu         sync.Mutex
	slots      map[string]*collectorSlot

	// tls is what the session's last TLS-using probe saw of the primary's certificate and TLS.
	tls tlsSeen
	// answerWeight is what the series of the session's last answer weighed: its next probe's
	// reservation in the answer budget.
	answerWeight atomic.Int64
}

// collectorSlot is one collector's share of a session: its state, its run in flight and its
// remembered skip, both guarded by mu.
type collectorSlot struct {
	state CollectorState
	mu    sync.Mutex
	cur   *sharedCall
	skip  rememberedSkip
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

// Sessions holds the sessions for every target probed recently, at most max of them: whoever can
// reach /probe chooses targets, and each session holds a connection pool and collector state. The
// least recently probed session goes first when the store is full; a session not probed for
// idleTTL goes too. A session that goes closes its idle connections (a probe still using it
// finishes normally).
type Sessions struct {
	mu        sync.Mutex
	byKey     map[string]*list.Element // of *session
	lru       *list.List               // front: most recently probed
	max       int
	idleTTL   time.Duration
	now       func() time.Time
	onRequest func(endpoint string, code int, d time.Duration)
	evictions map[string]float64 // by reason: capacity, idle
	// tracerProvider and propagator go to every client (WithTracing).
	tracerProvider trace.TracerProvider
	propagator     propagation.TextMapPropagator
	// holdoffs outlives the sessions: a refused login is not tried again by a new session of the
	// same credentials and primary. conns bounds the connections of all the sessions (nil = none).
	holdoffs *nbu.LoginHoldoffs
	conns    *nbu.ConnBudget
	// results holds each session's collector results for their TTL (keyed by resultKey): a
	// session's entries go with it. No janitor: what expired is overwritten or goes with its
	// session, and the sessions are bounded.
	results *gocache.Cache

	sessionsDesc, evictionsDesc *prometheus.Desc
}

// DefaultMaxSessions is --probe.max-sessions: a large estate has a few hundred primaries, and each
// module used against one is a session.
const DefaultMaxSessions = 1000

// NewSessions returns an empty session store with room for DefaultMaxSessions (see SetMax).
// onRequest, when not nil, observes every NetBackup HTTP request (for the exporter's own metrics).
func NewSessions(idleTTL time.Duration, onRequest func(endpoint string, code int, d time.Duration), opts ...SessionOption) *Sessions {
	s := &Sessions{
		byKey: map[string]*list.Element{}, lru: list.New(), max: DefaultMaxSessions,
		idleTTL: idleTTL, now: time.Now, onRequest: onRequest, results: gocache.New(gocache.NoExpiration, 0),
		evictions: map[string]float64{evictCapacity: 0, evictIdle: 0},
		holdoffs:  nbu.NewLoginHoldoffs(2 * DefaultMaxSessions),
		sessionsDesc: prometheus.NewDesc("netbackup_exporter_sessions",
			"Sessions (a target probed with a module: its NetBackup connections and collector state) kept now.", nil, nil),
		evictionsDesc: prometheus.NewDesc("netbackup_exporter_session_evictions_total",
			"Sessions dropped, by reason: capacity (the store was full: --probe.max-sessions) or idle (not probed for an hour).",
			[]string{"reason"}, nil),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// WithConnLimit bounds the connections to NetBackup that all the sessions hold open, idle or in
// use, to maxOpen (sized to the process's file descriptors); 0 = no bound.
func WithConnLimit(maxOpen int) SessionOption {
	return func(s *Sessions) {
		if maxOpen > 0 {
			s.conns = nbu.NewConnBudget(maxOpen)
		}
	}
}

const (
	evictCapacity = "capacity"
	evictIdle     = "idle"
)

// SetMax sets how many sessions are kept (at least 1).
func (s *Sessions) SetMax(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.max = max(n, 1)
	s.shrink(s.max)
	// A refusal takes an entry for the host as written and one for the address reached: twice the
	// sessions, and never fewer than the default's (entries are a hundred bytes or so), so that
	// a small session cap does not forget a refusal by a session evicted.
	s.holdoffs.SetCapacity(max(2*s.max, 2*DefaultMaxSessions))
}

// sessionKey is a session's identity: the module (its name, and a fingerprint of what it collects
// and how it connects, credentials left out) and the canonical target (scheme, lower-case host, port, API base path; ParseTarget
// refuses any other path, so a path is never a new primary).
func sessionKey(m *config.Module, t Target) string {
	return m.Name + "\x00" + m.SessionFingerprint() + "\x00" + t.BaseURL
}

// credentials are the module's key or login as the client takes them.
func credentials(m *config.Module) nbu.Credentials {
	if m.Username == "" {
		return nbu.Credentials{APIKey: m.APIKeyValue()}
	}
	return nbu.Credentials{Login: nbu.Login{
		UserName: m.Username, Password: m.PasswordValue(),
		DomainType: m.DomainType, DomainName: m.DomainName, TokenTTL: time.Duration(m.TokenTTL),
	}}
}

// get returns the session for module and target, creating it on first use.
func (s *Sessions) get(m *config.Module, t Target) (*session, error) {
	key := sessionKey(m, t)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.dropIdle(now)
	if e, ok := s.byKey[key]; ok {
		sess := e.Value.(*session)
		// A no-op unless a reload changed the credentials.
		if err := sess.client.SetCredentials(credentials(m)); err != nil {
			return nil, fmt.Errorf("module %q, target %q: %w", m.Name, t.BaseURL, err)
		}
		sess.lastProbed = now
		s.lru.MoveToFront(e)
		return sess, nil
	}
	sess, err := s.newSession(key, m, t)
	if err != nil {
		return nil, err
	}
	sess.lastProbed = now
	s.shrink(s.max - 1)
	s.byKey[key] = s.lru.PushFront(sess)
	return sess, nil
}

func (s *Sessions) newSession(key string, m *config.Module, t Target) (*session, error) {
	tlsCfg, err := m.NewTLSConfig()
	if err != nil {
		return nil, fmt.Errorf("module %q: tls_config: %w", m.Name, err)
	}
	creds := credentials(m)
	opts := nbu.Options{
		BaseURL:               t.BaseURL,
		APIKey:                creds.APIKey,
		Login:                 creds.Login,
		APIVersion:            m.APIVersion,
		TLSConfig:             tlsCfg,
		MaxConcurrentRequests: m.MaxConcurrentRequests,
		UserAgent:             userAgent,
		OnRequest:             s.onRequest,
		LoginHoldoffs:         s.holdoffs,
		Conns:                 s.conns,
		TracerProvider:        s.tracerProvider,
		Propagator:            s.propagator,
	}
	client, err := nbu.NewClient(opts)
	if err != nil {
		return nil, fmt.Errorf("module %q, target %q: %w", m.Name, t.BaseURL, err)
	}
	return &session{key: key, client: client, results: s.results}, nil
}

// dropIdle drops the sessions not probed for idleTTL, oldest first.
func (s *Sessions) dropIdle(now time.Time) {
	for e := s.lru.Back(); e != nil; e = s.lru.Back() {
		if now.Sub(e.Value.(*session).lastProbed) < s.idleTTL {
			return
		}
		s.remove(e, evictIdle)
	}
}

// shrink drops the least recently probed sessions until at most n are left.
func (s *Sessions) shrink(n int) {
	for s.lru.Len() > max(n, 0) {
		s.remove(s.lru.Back(), evictCapacity)
	}
}

func (s *Sessions) remove(e *list.Element, reason string) {
	sess := s.lru.Remove(e).(*session)
	delete(s.byKey, sess.key)
	for _, e := range collectorList {
		s.results.Delete(resultKey(sess.key, e.collector.Name()))
	}
	sess.client.Close()
	if reason != "" {
		s.evictions[reason]++
	}
}

// Close drops every session and closes their idle NetBackup connections (at shutdown).
func (s *Sessions) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for e := s.lru.Back(); e != nil; e = s.lru.Back() {
		s.remove(e, "")
	}
}

// Len is the number of live sessions.
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

// Describe and Collect serve netbackup_exporter_sessions and the eviction counter on /metrics.
func (s *Sessions) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.sessionsDesc
	ch <- s.evictionsDesc
}

func (s *Sessions) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(s.sessionsDesc, prometheus.GaugeValue, float64(s.lru.Len()))
	for reason, n := range s.evictions {
		ch <- prometheus.MustNewConstMetric(s.evictionsDesc, prometheus.CounterValue, n, reason)
	}
}
