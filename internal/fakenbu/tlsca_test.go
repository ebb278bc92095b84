package fakenbu

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewTestCA(t *testing.T) {
	caPEM, serverTLS, err := NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{})
	s.SetJobs(filterJobs())
	ts := httptest.NewUnstartedServer(s)
	ts.TLS = serverTLS
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted client's handshake failure is expected
	ts.StartTLS()
	t.Cleanup(ts.Close)

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM does not parse")
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
			t.Cleanup(client.CloseIdleConnections)
			url := strings.Replace(ts.URL, "127.0.0.1", host, 1) + "/netbackup/admin/jobs?page[limit]=1"
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
			req.Header.Set("Authorization", DefaultAPIKey)
			req.Header.Set("Accept", testAccept)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("GET over TLS trusting only the test CA: %v", err)
			}
			defer resp.Body.Close()
			var p wireJobs
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || len(p.Data) != 1 {
				t.Fatalf("status %d, decode err %v, %d records", resp.StatusCode, err, len(p.Data))
			}
			if href := p.Data[0].Links["self"].Href; !strings.HasPrefix(href, "https://") {
				t.Errorf("self href %q is not https", href)
			}
		})
	}

	// A client that does not trust the CA must fail the handshake.
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	t.Cleanup(plain.CloseIdleConnections)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/netbackup/ping", nil)
	if resp, err := plain.Do(req); err == nil {
		resp.Body.Close()
		t.Error("untrusted client connected")
	}
}
