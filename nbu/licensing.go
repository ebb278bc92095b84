package nbu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/go-kit/log/level"
)

const (
	licensingCapacityEndpoint = "/licensing/capacity"
	entitlementsEndpoint      = "/licensing/entitlements"
	// capacityPageSize is the spec's default page of /licensing/capacity: the masterServer filter
	// leaves one record, and a server that ignores the filter sends at most its last ten primaries.
	capacityPageSize = 10
	// maxEntitlementsPageSize is the spec's page[limit] maximum of /licensing/entitlements.
	maxEntitlementsPageSize = 100
	// maxEntitlementPages bounds the entitlement walk: 2,000 licences, far more than any primary
	// holds, so that a server that always answers full pages costs a bounded number of requests.
	maxEntitlementPages = 20
)

// CapacityReport is one /licensing/capacity record: a primary's front-end data usage, as
// NetBackup's capacity licensing measures it.
type CapacityReport struct {
	ID            string         // data[].id
	ConsumptionMB Known[float64] // masterConsumptionMB
}

// capacityAttrs leaves clientDetails (every client and each of its policies) unread: only the
// primary's sum is used, and the decoder skips the rest without building it.
type capacityAttrs struct {
	MasterConsumptionMB sentNumber `json:"masterConsumptionMB"`
}

// LicensingCapacity reads one page of GET /licensing/capacity filtered on masterServer (the
// primary's name): unfiltered, the endpoint answers the last ten primaries' reports. At most
// capacityPageSize records are returned.
func (c *Client) LicensingCapacity(ctx context.Context, masterServer string) ([]CapacityReport, error) {
	var (
		id  lString
		a   capacityAttrs
		out []CapacityReport
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", capacityAttrs{} },
		emit: func() error {
			if len(out) < capacityPageSize {
				out = append(out, CapacityReport{ID: string(id), ConsumptionMB: a.MasterConsumptionMB.known()})
			}
			return nil
		},
		skip: skipRecordLogger(ctx, licensingCapacityEndpoint),
	}
	q := url.Values{
		"filter":      {"masterServer eq " + ODataQuote(masterServer)},
		"page[limit]": {strconv.Itoa(capacityPageSize)},
	}
	if err := c.call(ctx, licensingCapacityEndpoint, q, func(r io.Reader) error { return walkPage(r, sink) }); err != nil {
		return nil, err
	}
	return out, nil
}

// Entitlement is one /licensing/entitlements record: a licence added to the primary.
type Entitlement struct {
	ID           string // attributes.entitlementId, else data[].id
	ProductName  string
	LicenseMeter string         // FETB, FETB_PLUS, CPU, SERVER, or as sent
	LicenseType  string         // PERPETUAL, SUBSCRIPTION, ..., or as sent
	Status       string         // ACTIVE, EXPIRED, or as sent
	LicenseCount Known[float64] // licenseCount (TB for the capacity meters)
	// EndDate and ServiceExpiration are zero when absent or unreadable.
	EndDate           time.Time
	ServiceExpiration time.Time
}

type entitlementAttrs struct {
	EntitlementID     lString    `json:"entitlementId"`
	ProductName       lString    `json:"productName"`
	LicenseMeter      lString    `json:"licenseMeter"`
	LicenseType       lString    `json:"licenseType"`
	Status            lString    `json:"status"`
	LicenseCount      sentNumber `json:"licenseCount"`
	EndDate           lTime      `json:"endDate"`
	ServiceExpiration lTime      `json:"serviceExpiration"`
}

func (a *entitlementAttrs) entitlement(id string) Entitlement {
	e := Entitlement{ID: string(a.EntitlementID), ProductName: string(a.ProductName), LicenseMeter: string(a.LicenseMeter),
		LicenseType: string(a.LicenseType), Status: string(a.Status), LicenseCount: a.LicenseCount.known(),
		EndDate: time.Time(a.EndDate), ServiceExpiration: time.Time(a.ServiceExpiration)}
	if e.ID == "" {
		e.ID = id
	}
	return e
}

// Entitlements walks GET /licensing/entitlements (offset paging, 100 a page) and calls fn for
// each entitlement; the *Entitlement is reused after fn returns. The spec's answer has links but
// no meta.pagination, so a full page asks for the next one and a shorter page is the last.
func (c *Client) Entitlements(ctx context.Context, fn func(*Entitlement) error) error {
	if fn == nil {
		return errors.New("nbu: Entitlements called with a nil callback")
	}
	var (
		id     lString
		a      entitlementAttrs
		e      Entitlement
		onPage int
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", entitlementAttrs{} },
		emit: func() error {
			onPage++
			e = a.entitlement(string(id))
			return fn(&e)
		},
	}
	logSkip := skipRecordLogger(ctx, entitlementsEndpoint)
	// A record that is not an object still took its place on the page.
	sink.skip = func(i int, kind string) { onPage++; logSkip(i, kind) }
	for page := 0; page < maxEntitlementPages; page++ {
		q := url.Values{
			"page[offset]": {strconv.Itoa(page * maxEntitlementsPageSize)},
			"page[limit]":  {strconv.Itoa(maxEntitlementsPageSize)},
		}
		onPage = 0
		if err := c.call(withPage(ctx, page+1), entitlementsEndpoint, q, func(r io.Reader) error { return walkPage(r, sink) }); err != nil {
			return unwrapCallback(err)
		}
		if onPage < maxEntitlementsPageSize {
			return nil
		}
	}
	return fmt.Errorf("GET %s: still paging after %d full pages of %d; stopping", entitlementsEndpoint, maxEntitlementPages, maxEntitlementsPageSize)
}

// skipRecordLogger logs at debug the records of a page that could not be decoded.
func skipRecordLogger(ctx context.Context, endpoint string) func(int, string) {
	logger := loggerFrom(ctx)
	return func(i int, kind string) {
		level.Debug(logger).Log("msg", "skipping undecodable record", "endpoint", endpoint, "index", i, "kind", kind)
	}
}
