package web

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
)

// Paths is where the exporter is reached, as --web.external-url and --web.route-prefix say
// (blackbox_exporter's flags, with its semantics): behind a reverse proxy, the URL users and links
// reach it by is not the listen address, and the proxy may or may not strip its path.
type Paths struct {
	// External is the URL the exporter is reached by; its path has no trailing slash. nil: the
	// listen address, at "/".
	External *url.URL
	// Prefix is the path every route is served under: "/", or "/<path>/".
	Prefix string
}

// NewPaths resolves the two flags: the external URL (inferred from the host name, listenAddr and
// the route prefix when empty: no proxy in between) and the route prefix, which defaults to the
// external URL's path.
func NewPaths(externalURL, routePrefix, listenAddr string) (Paths, error) {
	ext, err := ComputeExternalURL(externalURL, listenAddr)
	if err != nil {
		return Paths{}, fmt.Errorf("--web.external-url %q: %w", externalURL, err)
	}
	prefix := normalPrefix(cmp.Or(routePrefix, ext.Path))
	if externalURL == "" {
		ext.Path = strings.TrimSuffix(prefix, "/")
	}
	return Paths{External: ext, Prefix: prefix}, nil
}

// normalPrefix is p as a route prefix: "/", or starting and ending with "/" (a browser resolves a
// page's relative links against its path up to the last slash).
func normalPrefix(p string) string {
	p = "/" + strings.Trim(p, "/")
	if p != "/" {
		p += "/"
	}
	return p
}

// ComputeExternalURL is u as the exporter's external URL, its path without a trailing slash and
// starting with "/" when not empty. An empty u is inferred as http://<host name>:<listen port>/;
// a u in quotes (a quoting mistake in a unit file or a manifest) is refused.
func ComputeExternalURL(u, listenAddr string) (*url.URL, error) {
	if u == "" {
		hostname, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("inferring the external URL: %w", err)
		}
		_, port, err := net.SplitHostPort(listenAddr)
		if err != nil {
			return nil, fmt.Errorf("inferring the external URL from the listen address: %w", err)
		}
		u = "http://" + net.JoinHostPort(hostname, port) + "/"
	}
	if strings.HasPrefix(u, `"`) || strings.HasPrefix(u, "'") || strings.HasSuffix(u, `"`) || strings.HasSuffix(u, "'") {
		return nil, errors.New("URL must not begin or end with quotes")
	}
	eu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	p := strings.TrimRight(eu.Path, "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	eu.Path = p
	return eu, nil
}

// prefix is the route prefix, "/" when unset.
func (p Paths) prefix() string {
	if p.Prefix == "" {
		return "/"
	}
	return p.Prefix
}

// route is where the route named by its path from the prefix (e.g. "/probe") is served.
func (p Paths) route(name string) string { return path.Join(p.prefix(), name) }

// linkBase is what the pages' links start with: the external URL's path and a slash, so that a
// link is right whether the proxy strips its path or not, and whether or not the page was asked
// for with its trailing slash.
func (p Paths) linkBase() string {
	if p.External == nil {
		return p.prefix()
	}
	return p.External.Path + "/"
}

// redirectRoot sends "/" to the route prefix when the routes are under one, as Prometheus does:
// a request for "/" reached the exporter without the proxy, so the prefix is where the pages are
// (the external URL may be "/" on another host, or inferred: redirecting there could loop). Any
// other path outside the prefix is not found.
func (p Paths) redirectRoot(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, p.prefix(), http.StatusFound)
}
