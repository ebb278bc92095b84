package nbu

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// A server that sends headers and then one byte every 100ms never stalls a single read long enough
// for a per-read timeout to fire; only an overall deadline on the body ends it. The request's
// context is that deadline.
func TestDripFedBodyEndsByDeadline(t *testing.T) {
	done := make(chan struct{})
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"data":[`))
		w.(http.Flusher).Flush()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}), nil)
	const deadline = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, err := c.Jobs(ctx, JobsQuery{}, func(*Job) error { return nil })
	elapsed := time.Since(start)
	assertNoKey(t, err)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "/admin/jobs") {
		t.Fatalf("err = %v, want a deadline error naming /admin/jobs", err)
	}
	if limit := deadline + 2*time.Second; elapsed > limit {
		t.Errorf("returned after %v, want by the deadline plus a margin (%v)", elapsed, limit)
	}
	// The server side sees the connection go away: nothing keeps dripping after the call.
	<-done
}

// rawServer answers every connection with respond(request): for replies net/http would refuse to
// write, such as a malformed status line.
func rawServer(t *testing.T, respond func(r *http.Request) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				r, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = conn.Write([]byte(respond(r)))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// net/http quotes a malformed status line or Location header in its error; a server that echoes the
// request's Authorization header there must not get the key into the error text.
func TestEchoedKeyInTransportErrorsIsRedacted(t *testing.T) {
	tests := []struct {
		name    string
		respond func(key string) string
		want    string
	}{
		{"malformed status line", func(key string) string {
			return "HTTP/1.1 " + key + " OK\r\nContent-Length: 0\r\n\r\n"
		}, "malformed HTTP status code"},
		{"malformed response line", func(key string) string {
			return "HTTP/1.1" + key + "\r\n\r\n"
		}, "malformed HTTP"},
		{"unparsable Location", func(key string) string {
			return "HTTP/1.1 302 Found\r\nLocation: http://[" + key + "\r\nContent-Length: 0\r\n\r\n"
		}, "Location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen sync.Map
			url := rawServer(t, func(r *http.Request) string {
				key := r.Header.Get("Authorization")
				seen.Store(key, true)
				return tt.respond(key)
			})
			c, err := NewClient(Options{BaseURL: url + "/netbackup", APIKey: testKey, APIVersion: "13.0", MaxTries: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.StorageUnits(testCtx(t), 0)
			if _, ok := seen.Load(testKey); !ok {
				t.Fatalf("the server never saw the key; the test proves nothing (err %v)", err)
			}
			assertNoKey(t, err)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "<redacted>") {
				t.Fatalf("err = %v, want it to say %q with the key redacted", err, tt.want)
			}
		})
	}
}

// encoding/json rescans pending whitespace on every buffer refill, so a body of endless blanks
// would burn CPU quadratically until the deadline. The reader refuses a long run instead.
func TestEndlessWhitespaceIsRefused(t *testing.T) {
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte(`{"data":[`))
		blanks := []byte(strings.Repeat(" \n\t\r", 4<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(blanks); err != nil {
				return
			}
		}
	}), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Jobs(ctx, JobsQuery{}, func(*Job) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "consecutive whitespace bytes") || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the whitespace run refused before the deadline", err)
	}
}

func TestBlankRunCounting(t *testing.T) {
	pretty := "{\n" + strings.Repeat("    \"a\": 1,\n", 10000) + "    \"b\": 2\n}"
	// Runs are counted across reads, where the decoder's rescans happen; a run that begins and
	// ends inside one read is scanned once and let through.
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"pretty-printed JSON", pretty, false},
		{"run at the limit", "{" + strings.Repeat(" ", maxBlankRun) + "}", false},
		{"run over the limit", "{" + strings.Repeat(" ", maxBlankRun+1) + "}", true},
		{"leading run over the limit", strings.Repeat("\n", maxBlankRun+1) + "{}", true},
		{"trailing run over the limit", "{}" + strings.Repeat("\t", maxBlankRun+1), true},
		{"many short runs", strings.Repeat("{"+strings.Repeat(" ", 1000)+"}", 1000), false},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 7, 512, 4096} {
			r := &capReader{r: &chunkReader{s: tt.body, n: chunk}, left: 1 << 30, limit: 1 << 30}
			_, err := io.ReadAll(r)
			if (err != nil) != tt.wantErr {
				t.Errorf("%s, reads of %d: err = %v, want error %v", tt.name, chunk, err, tt.wantErr)
			}
		}
	}
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}
