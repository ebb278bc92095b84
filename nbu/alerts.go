package nbu

import (
	"context"
	"errors"
	"net/url"
	"time"
)

const (
	alertsEndpoint = "/manage/alerts"
	// The spec gives /manage/alerts no page[limit] maximum; 100 keeps one page small and the
	// number of pages moderate.
	maxAlertsPageSize = 100
)

// Alert is one /manage/alerts record.
type Alert struct {
	ID          string
	Severity    string // INFO, WARNING, ERROR in any spelling (AlertSeverities), or as sent
	Category    string // JOB, KMS, MSDP in any spelling (AlertCategories), or as sent
	SubCategory string
	Context     string
	Created     time.Time // createdDateTime; zero when absent or unparsable
}

type alertAttrs struct {
	Severity        lString `json:"severity"`
	Category        lString `json:"category"`
	SubCategory     lString `json:"subCategory"`
	Context         lString `json:"context"`
	CreatedDateTime lTime   `json:"createdDateTime"`
}

// AlertsQuery selects the alerts Alerts walks.
type AlertsQuery struct {
	Filter   string // OData, unencoded, e.g. "createdDateTime ge 2026-01-01T00:00:00Z"; "" = none
	Sort     string // e.g. "-createdDateTime"; "" = server default (newest first)
	PageSize int    // 0 = 100
}

// Alerts walks every page of GET /manage/alerts (offset paging) and calls fn for each alert;
// the *Alert is reused after fn returns. Every page is read: the server default is 10 alerts.
func (c *Client) Alerts(ctx context.Context, q AlertsQuery, fn func(*Alert) error) error {
	if fn == nil {
		return errors.New("nbu: Alerts called with a nil callback")
	}
	var (
		id    lString
		a     alertAttrs
		alert Alert
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", alertAttrs{} },
		emit: func() error {
			alert = Alert{ID: string(id), Severity: AlertSeverities.Normalize(string(a.Severity)),
				Category:    AlertCategories.Normalize(string(a.Category)),
				SubCategory: string(a.SubCategory), Context: string(a.Context), Created: time.Time(a.CreatedDateTime)}
			return fn(&alert)
		},
	}
	extra := url.Values{"filter": {q.Filter}, "sort": {q.Sort}}
	return unwrapCallback(c.offsetWalkQuery(ctx, alertsEndpoint, extra, q.PageSize, maxAlertsPageSize, sink))
}

// unwrapCallback hands the caller's own callback error back unwrapped from the marker type.
func unwrapCallback(err error) error {
	if ce, ok := errors.AsType[*callbackError](err); ok {
		return ce.err
	}
	return err
}
