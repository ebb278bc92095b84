package tracing

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// maxHeadersFile bounds the headers file: a few tokens, never megabytes.
const maxHeadersFile = 64 << 10

// readHeaders reads the extra headers for the OTLP endpoint: one "Name: value" a line, blank
// lines and lines starting with # ignored. The values are typically credentials, so errors name
// the file and the line, never what the line holds.
func readHeaders(path string) (map[string]string, error) {
	// The one reader of the exporter's files: a FIFO or a device fails instead of hanging.
	b, err := config.ReadFile(path, maxHeadersFile)
	if err != nil {
		return nil, fmt.Errorf("tracing: --tracing.headers-file: %w", err)
	}
	headers := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok:
			return nil, fmt.Errorf("tracing: --tracing.headers-file %s line %d: want \"Name: value\"", path, n)
		case !httpguts.ValidHeaderFieldName(name):
			return nil, fmt.Errorf("tracing: --tracing.headers-file %s line %d: invalid header name", path, n)
		case !httpguts.ValidHeaderFieldValue(value):
			return nil, fmt.Errorf("tracing: --tracing.headers-file %s line %d: invalid header value", path, n)
		}
		headers[http.CanonicalHeaderKey(name)] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tracing: --tracing.headers-file %s: %w", path, err)
	}
	return headers, nil
}
