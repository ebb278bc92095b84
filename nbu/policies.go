package nbu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

const (
	// policiesEndpoint carries the trailing slash the spec gives the path (10.3 config.yaml,
	// 10.5 and 11.0 config_policies.yaml).
	policiesEndpoint     = "/config/policies/"
	policyDetailEndpoint = "/config/policies/{policyName}"
	maxPoliciesPageSize  = 500
)

// Policy is one /config/policies/ record: the list carries the name and type but not the
// clients, which only a policy's detail has.
type Policy struct {
	Name string // data[].id, or attributes.policyName
	// Type is attributes.policyType in the job API's spelling ("MS-Windows" and "VMware" read as
	// WINDOWS_NT and VMWARE: see PolicyTypes); a type it does not know is kept as sent.
	Type   string
	Active Known[bool]
}

// PolicyDetail is GET /config/policies/{policyName}, reduced to what the exporter uses.
type PolicyDetail struct {
	Policy
	Clients []string // clients[].hostName, in the order sent, empty names dropped
	// Schedules are schedules[], in the order sent (at most maxPolicySchedules); an element that
	// is not an object is dropped.
	Schedules []Schedule
}

type policyListAttrs struct {
	PolicyName lString `json:"policyName"`
	PolicyType lString `json:"policyType"`
	Active     optBool `json:"active"`
}

// Policies fetches every page of GET /config/policies/ (offset paging, page[limit] up to 500).
func (c *Client) Policies(ctx context.Context, pageSize int) ([]Policy, error) {
	return offsetList(ctx, c, policiesEndpoint, pageSize, maxPoliciesPageSize, func(id string, a *policyListAttrs) (Policy, bool) {
		name := orElse(string(a.PolicyName), id) // the spec: data[].id is the name of the policy
		return Policy{Name: name, Type: PolicyTypes.Normalize(string(a.PolicyType)), Active: a.Active.known()}, name != ""
	})
}

// policyBody is the per-type object inside a policy's attributes ("policyStandard",
// "policyVMware", "policyGeneric"...): every type schema shares these members.
type policyBody struct {
	PolicyName       lString `json:"policyName"`
	PolicyType       lString `json:"policyType"`
	PolicyAttributes struct {
		Active optBool `json:"active"`
	} `json:"policyAttributes"`
	Clients []struct {
		HostName lString `json:"hostName"`
	} `json:"clients"`
	Schedules lObjects[scheduleAttrs] `json:"schedules"`
}

// PolicyDetail fetches GET /config/policies/{policyName}. The attributes are a oneOf keyed by
// policy type; the first member that looks like a policy body is read, whatever its key, so that
// a type the spec adds later is still understood.
func (c *Client) PolicyDetail(ctx context.Context, name string) (PolicyDetail, error) {
	var pd PolicyDetail
	if name == "" || strings.ContainsAny(name, "/?#") {
		return pd, fmt.Errorf("nbu: policy name %q cannot be put in a path", name)
	}
	var doc struct {
		Data struct {
			ID         lString                    `json:"id"`
			Attributes map[string]json.RawMessage `json:"attributes"`
		} `json:"data"`
	}
	path := strings.TrimSuffix(policiesEndpoint, "/") + "/" + name
	err := c.callPath(ctx, policyDetailEndpoint, path, nil, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		if err := decodeLenient(dec, &doc); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	})
	if err != nil {
		return pd, err
	}
	pd.Name = name
	// Sorted keys: the oneOf has one member, but a server sending more must still give one answer.
	for _, key := range slices.Sorted(maps.Keys(doc.Data.Attributes)) {
		raw := doc.Data.Attributes[key]
		var b policyBody
		if len(raw) == 0 || raw[0] != '{' {
			continue
		}
		// A member of the wrong kind costs that member only, as everywhere else.
		var ute *json.UnmarshalTypeError
		if err := json.Unmarshal(raw, &b); err != nil && !errors.As(err, &ute) {
			continue
		}
		if b.PolicyName == "" && b.PolicyType == "" && b.Clients == nil {
			continue
		}
		pd.Type, pd.Active = PolicyTypes.Normalize(string(b.PolicyType)), b.PolicyAttributes.Active.known()
		pd.Schedules = schedulesOf(b.Schedules)
		for _, cl := range b.Clients {
			if cl.HostName != "" {
				pd.Clients = append(pd.Clients, string(cl.HostName))
			}
		}
		break
	}
	return pd, nil
}
