package nbu

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// assertNoRun fails if text holds any run of 8 or more bytes of one of the secrets.
func assertNoRun(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(text, s[i:i+8]) {
				t.Fatalf("text holds %q, 8 bytes of a secret: %q", s[i:i+8], text)
			}
		}
	}
}

// A server that echoes half the key (or of the token, or of the password) in its error body, its
// redirect or its content type does not get that half into the error.
func TestHalfSecretScrubbed(t *testing.T) {
	const token = "tok-7f2a9c41d3e8b605"
	half := func(s string) string { return s[len(s)/4 : len(s)/4+len(s)/2] }
	for _, tc := range []struct {
		name   string
		login  bool
		answer func(w http.ResponseWriter, r *http.Request)
	}{
		{"error message and details", false, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusInternalServerError, errorJSON(500, "bad key ..."+half(r.Header.Get("Authorization"))+"...",
				"starts "+r.Header.Get("Authorization")[:9], "ends "+r.Header.Get("Authorization")[len(testKey)-9:]))
		}},
		{"redirect", false, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://"+half(r.Header.Get("Authorization"))+".example.com/")
			w.WriteHeader(http.StatusFound)
		}},
		{"content type", false, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; x="+half(r.Header.Get("Authorization")))
			w.WriteHeader(http.StatusOK)
		}},
		{"token and password", true, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/login") {
				writeJSON(w, http.StatusCreated, `{"token":"`+token+`","validity":3600}`)
				return
			}
			writeJSON(w, http.StatusBadRequest, errorJSON(400, "token "+half(token)+", password "+half(loginPassword)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, http.HandlerFunc(tc.answer), func(o *Options) {
				if tc.login {
					o.APIKey, o.Login = "", loginUser
				}
			})
			_, err := c.Check(testCtx(t))
			if err == nil {
				t.Fatal("no error")
			}
			assertNoRun(t, err.Error(), testKey, token, loginPassword)
			if !strings.Contains(err.Error(), "<redacted>") {
				t.Errorf("err = %v, want the echo redacted", err)
			}
			own := testKey
			if tc.login {
				own = token
			}
			if got := c.Scrub("echo " + half(own)); got != "echo <redacted>" {
				t.Errorf("Scrub = %q", got)
			}
		})
	}
}

// A login answer with a token under 8 bytes is refused: such a token cannot be scrubbed from text
// without scrubbing ordinary words (a one-byte token would take every "e" out of every label).
func TestLoginRefusesShortToken(t *testing.T) {
	for _, tok := range []string{"e", "Zq7", "Zq7Wx9k"} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/login") {
				writeJSON(w, http.StatusCreated, `{"token":"`+tok+`","validity":3600}`)
				return
			}
			writeJSON(w, http.StatusOK, cursorPage(""))
		})
		c, _, _ := newTestClient(t, h, func(o *Options) { o.APIKey, o.Login = "", loginUser })
		_, err := c.Check(testCtx(t))
		if err == nil || !strings.Contains(err.Error(), "under the 8 a secret needs") {
			t.Fatalf("token %q: err = %v, want the short token refused", tok, err)
		}
		if len(tok) > 1 && strings.Contains(err.Error(), tok) {
			t.Errorf("the error quotes the token: %v", err)
		}
		if got := c.ScrubLabel("PureDisk", 256); got != "PureDisk" {
			t.Errorf("ScrubLabel = %q: a refused token must not be scrubbed from labels", got)
		}
	}
}

// ScrubLabel reads a bounded prefix of a value: a 15 MB label value costs what a short one does,
// and a key across the cut is still scrubbed.
func TestScrubLabelBounded(t *testing.T) {
	c, err := NewClient(Options{BaseURL: "https://nbu:1556/netbackup", APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	across := strings.Repeat("s", 250) + testKey + strings.Repeat("x", 15<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := c.ScrubLabel(across, 256)
	runtime.ReadMemStats(&after)
	if got != strings.Repeat("s", 250)+"<redac" {
		t.Errorf("ScrubLabel = %q", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
		t.Errorf("ScrubLabel allocated %d bytes for a 15 MB value", alloc)
	}
	if got := c.ScrubLabel("Pur"+testKey[3:12]+"Disk", 256); got != "Pur<redacted>Disk" {
		t.Errorf("ScrubLabel of 9 bytes of the key = %q", got)
	}
}
