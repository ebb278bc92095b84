package nbu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

const (
	hostsEndpoint        = "/config/hosts"
	hostServicesEndpoint = "/admin/hosts/{hostId}/services"
	// maxHostIDBytes bounds a host id put in a path: NetBackup's are UUIDs (36 bytes).
	maxHostIDBytes = 256
)

// Host types of /config/hosts' nbuHostType (the filter accepts eq only, so each is one request).
const (
	HostTypePrimary = "PRIMARY_SERVER"
	HostTypeMedia   = "MEDIA_SERVER"
)

// Host is one /config/hosts record, reduced to what the exporter uses.
type Host struct {
	ID   string // uuid: what /admin/hosts/{hostId}/... takes
	Name string // hostName
	Type string // nbuHostType: PRIMARY_SERVER, MEDIA_SERVER, CLIENT, NOT_DEFINED, or as sent
}

type hostAttrs struct {
	UUID        lString `json:"uuid"`
	HostName    lString `json:"hostName"`
	NBUHostType lEnum   `json:"nbuHostType"`
}

// HostsOfType lists the hosts of one nbuHostType: GET /config/hosts with the filter
// nbuHostType eq '<hostType>' (config.yaml of 10.3, config_hosts.yaml from 10.5 on). The list is
// unpaged ({"hosts": [...]}, not JSON:API); it is streamed, and at most limit hosts are kept, more
// being how many others it held. A record without a uuid cannot be asked for anything and is left
// out; one whose nbuHostType is another type (a server that ignored the filter) too.
func (c *Client) HostsOfType(ctx context.Context, hostType string, limit int) (hosts []Host, more int, err error) {
	q := url.Values{"filter": {"nbuHostType eq " + ODataQuote(hostType)}}
	keep := func(a *hostAttrs) {
		if a.UUID == "" || (a.NBUHostType != "" && string(a.NBUHostType) != hostType) {
			return
		}
		if len(hosts) >= limit {
			more++
			return
		}
		hosts = append(hosts, Host{ID: string(a.UUID), Name: string(a.HostName), Type: string(a.NBUHostType)})
	}
	err = c.call(ctx, hostsEndpoint, q, func(r io.Reader) error {
		return walkMember(r, "hosts", func(dec *json.Decoder) error { return walkHostArray(dec, keep) })
	})
	if err != nil {
		return nil, 0, err
	}
	return hosts, more, nil
}

// walkMember streams an answer that is one object, not JSON:API ({"hosts": [...]},
// {"certificateList": [...]}): walk reads the member named member, the others are skipped unread.
func walkMember(r io.Reader, member string, walk func(*json.Decoder) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err == io.EOF {
		return nil // an empty answer lists nothing
	}
	if err != nil {
		return describe(dec, "", err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("top-level JSON value is a %s, not an object", kindOf(tok))
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return describe(dec, "", err)
		}
		if key, _ := kt.(string); key == member {
			err = walk(dec)
		} else if err = dec.Decode(&skipValue{}); err != nil {
			// The member name is server text and stays out of the error.
			err = describe(dec, "a top-level member", err)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "", err)
	}
	return nil
}

// walkHostArray streams the "hosts" array into fn, one element at a time (the *hostAttrs is
// reused). An element that is not an object, and a "hosts" that is not an array, are no hosts.
func walkHostArray(dec *json.Decoder, fn func(*hostAttrs)) error {
	tok, err := dec.Token()
	if err != nil {
		return describe(dec, "hosts", err)
	}
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		return skipRest(dec, "hosts")
	default:
		return nil // null, or a scalar: no hosts
	}
	var a hostAttrs
	for i := 0; dec.More(); i++ {
		a = hostAttrs{}
		err := dec.Decode(&a)
		var ute *json.UnmarshalTypeError
		switch {
		case err == nil:
		case errors.As(err, &ute) && ute.Field == "":
			continue // not an object
		case errors.As(err, &ute):
			// A member of the wrong kind: what did decode is kept.
		default:
			return describe(dec, fmt.Sprintf("hosts[%d]", i), err)
		}
		fn(&a)
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "hosts", err)
	}
	return nil
}

// skipRest consumes the rest of an object or array whose opening token was read.
func skipRest(dec *json.Decoder, where string) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return describe(dec, where, err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// Service is one NetBackup service (daemon) of a host.
type Service struct {
	Name   string // data[].id, the daemon's name (bprd, nbemm, ...); attributes.daemonCode when id is absent
	Status string // RUNNING, STOPPED, DISABLED, or as sent; "" when absent
}

type serviceAttrs struct {
	DaemonCode lString `json:"daemonCode"`
	Status     lEnum   `json:"status"`
}

// HostServices lists the services of one host: GET /admin/hosts/{hostId}/services (admin.yaml,
// every release; unpaged). At most limit services are kept, more being how many others the list
// held; a record without a name, and the repeat of a name, are left out. The primary answers 404
// for a host id it does not know, 501 for a host older than NetBackup 8.2 and 400 for a Cloud
// Scale host: those are APIErrors with that status.
func (c *Client) HostServices(ctx context.Context, hostID string, limit int) (services []Service, more int, err error) {
	if hostID == "" || len(hostID) > maxHostIDBytes || strings.ContainsAny(hostID, "/?#%") {
		return nil, 0, fmt.Errorf("nbu: host id %q cannot be put in a path", truncate(hostID, 64))
	}
	var (
		id   lString
		a    serviceAttrs
		seen = map[string]struct{}{}
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", serviceAttrs{} },
		emit: func() error {
			name := string(id)
			if name == "" {
				name = string(a.DaemonCode)
			}
			if _, dup := seen[name]; name == "" || dup {
				return nil
			}
			if len(services) >= limit {
				more++
				return nil
			}
			seen[name] = struct{}{}
			services = append(services, Service{Name: name, Status: string(a.Status)})
			return nil
		},
		skip: func(int, string) {},
	}
	path := "/admin/hosts/" + hostID + "/services"
	err = c.callPath(ctx, hostServicesEndpoint, path, nil, func(r io.Reader) error { return walkPage(r, sink) })
	if err != nil {
		return nil, 0, err
	}
	return services, more, nil
}
