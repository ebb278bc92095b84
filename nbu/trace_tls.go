package nbu

import "crypto/tls"

// LastTLS is the TLS state of the connection the latest traced request used (nil when none went
// over TLS): the certificate the primary presents now, and the protocol version it agreed.
func (t *Trace) LastTLS() *tls.ConnectionState { return t.lastTLS.Load() }
