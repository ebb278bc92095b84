package nbu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const certificatesEndpoint = "/security/certificates"

// HostCertificate is one record of GET /security/certificates (API 13.0 on): a NetBackup host
// certificate (host-ID certificate) of one host.
type HostCertificate struct {
	HostID   string
	HostName string
	// NotAfter is when the certificate expires; zero when absent or unreadable.
	NotAfter time.Time
	// State is the certificate state as sent: "1" (active) and "2" (revoked), numbers kept as
	// their text, or a name some server may send instead.
	State string
	// HostType is hostType as sent: "0" unknown, "1" server, "2" client.
	HostType string
	Deleted  bool // isCertDeleted is true
}

// Revoked reports whether the certificate's state says revoked (2, or the word).
func (h *HostCertificate) Revoked() bool {
	if strings.EqualFold(strings.TrimSpace(h.State), "REVOKED") {
		return true
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(h.State), 64)
	return err == nil && n == 2
}

// certAttrs are the fields read of a certificate; publicKey and the rest are skipped unread.
type certAttrs struct {
	HostID        lString `json:"hostId"`
	HostName      lString `json:"hostName"`
	NotAfter      msTime  `json:"notAfter"`
	State         lString `json:"state"`
	HostType      lString `json:"hostType"`
	IsCertDeleted optBool `json:"isCertDeleted"`
}

// HostCertificates reads GET /security/certificates with filter=isCertDeleted eq false (the
// list is not paged: one answer holds every certificate) and calls fn for each certificate as
// the answer streams past; the *HostCertificate is reused after fn returns.
func (c *Client) HostCertificates(ctx context.Context, fn func(*HostCertificate) error) error {
	if fn == nil {
		return errors.New("nbu: HostCertificates called with a nil callback")
	}
	q := url.Values{"filter": {"isCertDeleted eq false"}}
	skip := skipRecordLogger(ctx, certificatesEndpoint)
	err := c.call(ctx, certificatesEndpoint, q, func(r io.Reader) error {
		return walkMember(r, "certificateList", func(dec *json.Decoder) error { return walkCertificateList(dec, fn, skip) })
	})
	return unwrapCallback(err)
}

// walkCertificateList streams the "certificateList" array: each element is decoded on its own
// into one reused target.
func walkCertificateList(dec *json.Decoder, fn func(*HostCertificate) error, skip func(int, string)) error {
	tok, err := dec.Token()
	if err != nil {
		return describe(dec, "certificateList", err)
	}
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		skip(0, "object")
		return skipRest(dec, "certificateList")
	default:
		if tok != nil {
			skip(0, kindOf(tok))
		}
		return nil
	}
	var (
		a    certAttrs
		cert HostCertificate
	)
	for i := 0; dec.More(); i++ {
		a = certAttrs{}
		err := dec.Decode(&a)
		var ute *json.UnmarshalTypeError
		switch {
		case err == nil:
		case errors.As(err, &ute):
			// The element is not an object (every field's type is lenient, so only the element
			// itself can be of the wrong kind).
			skip(i, ute.Value)
			continue
		default:
			return describe(dec, fmt.Sprintf("certificateList[%d]", i), err)
		}
		cert = HostCertificate{HostID: string(a.HostID), HostName: string(a.HostName), NotAfter: time.Time(a.NotAfter),
			State: string(a.State), HostType: string(a.HostType), Deleted: a.IsCertDeleted.set && a.IsCertDeleted.v}
		if err := fn(&cert); err != nil {
			return &callbackError{err: err}
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "certificateList", err)
	}
	return nil
}
