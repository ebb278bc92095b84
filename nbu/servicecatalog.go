package nbu

import (
	"context"
	"errors"
)

const (
	slosEndpoint = "/servicecatalog/slos"
	// The spec gives /servicecatalog/slos a default page[limit] of 10 and no maximum; a record
	// carries the plan's whole policy definition, so pages stay moderate.
	defaultSLOsPageSize = 100
	maxSLOsPageSize     = 500
)

// SLO is one /servicecatalog/slos record (a protection plan), reduced to what the exporter uses.
type SLO struct {
	ID           string // data[].id, a GUID
	Name         string // attributes.name, else the id
	WorkloadType string // VMWARE, SQL_SERVER, KUBERNETES, ... as sent
	// Subscriptions is subscriptionCount: the assets and asset groups subscribed to the plan.
	Subscriptions Known[int64]
}

type sloAttrs struct {
	Name              lString `json:"name"`
	WorkloadType      lEnum   `json:"workloadType"`
	SubscriptionCount optInt  `json:"subscriptionCount"`
}

// SLOs walks every page of GET /servicecatalog/slos (page[offset] and page[limit] = pageSize,
// 0 = 100; the spec documents no meta.pagination: lengthWalk says where the list ends) and calls
// fn for each plan; the *SLO is reused after fn returns.
func (c *Client) SLOs(ctx context.Context, pageSize int, fn func(*SLO) error) error {
	if fn == nil {
		return errors.New("nbu: SLOs called with a nil callback")
	}
	limit := pageSize
	if limit <= 0 {
		limit = defaultSLOsPageSize
	}
	limit = min(limit, maxSLOsPageSize)
	var (
		id  lString
		a   sloAttrs
		slo SLO
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", sloAttrs{} },
		emit: func() error {
			slo = SLO{ID: string(id), Name: orElse(string(a.Name), string(id)), WorkloadType: string(a.WorkloadType),
				Subscriptions: a.SubscriptionCount.known()}
			return fn(&slo)
		},
	}
	return unwrapCallback(c.lengthWalk(ctx, slosEndpoint, limit, sink))
}
