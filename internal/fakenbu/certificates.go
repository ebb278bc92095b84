package fakenbu

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// HostCertificate is the fake's model of one NetBackup host certificate (/security/certificates,
// API 13.0 on).
type HostCertificate struct {
	HostID   string
	HostName string
	Serial   int64
	// NotBefore and NotAfter are served as milliseconds since the epoch; a zero NotAfter leaves
	// the field out, as a server may.
	NotBefore, NotAfter time.Time
	Revoked             bool // state 2 (revoked) instead of 1 (active)
	Deleted             bool // isCertDeleted
	HostType            int  // 0 unknown, 1 server, 2 client
}

// SetHostCertificates replaces the host certificates.
func (s *Server) SetHostCertificates(c []HostCertificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostCerts = slices.Clone(c)
}

var hostCertFields = map[string]field[HostCertificate]{
	"hostId":        {kind: kindString, str: func(c *HostCertificate) string { return c.HostID }},
	"isCertDeleted": {kind: kindBool, bl: func(c *HostCertificate) bool { return c.Deleted }},
}

// handleHostCertificates serves GET /security/certificates: every certificate in one answer (the
// spec has no paging), filtered on hostId and isCertDeleted.
func (s *Server) handleHostCertificates(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	f, err := parseFilter(q.Get("filter"), hostCertFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Bad request.", err.Error())
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := match(s.hostCerts, f)
	s.mu.RUnlock()
	resp := struct {
		CertificateList []hostCertResource `json:"certificateList"`
	}{make([]hostCertResource, 0, len(items))}
	for i := range items {
		resp.CertificateList = append(resp.CertificateList, renderHostCert(int64(i+1), &items[i]))
	}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

type hostCertResource struct {
	CertificateKey   int64  `json:"certificateKey"`
	HostID           string `json:"hostId"`
	HostName         string `json:"hostName"`
	SerialNumber     int64  `json:"serialNumber"`
	NotBefore        int64  `json:"notBefore"`
	NotAfter         *int64 `json:"notAfter,omitempty"`
	TokenType        int    `json:"tokenType"`
	State            int    `json:"state"`
	PublicKey        string `json:"publicKey"`
	KeySize          int    `json:"keySize"`
	RevocationReason int    `json:"revocationReason"`
	HostType         int    `json:"hostType"`
	CreateOn         int64  `json:"createOn"`
	UpdatedOn        int64  `json:"updatedOn"`
	IsCertDeleted    bool   `json:"isCertDeleted"`
}

// fakePublicKey stands for the PEM public key each record carries: the bulk of a real answer,
// which the client skips unread.
var fakePublicKey = "-----BEGIN PUBLIC KEY-----\n" + strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n", 8) + "-----END PUBLIC KEY-----\n"

func renderHostCert(key int64, c *HostCertificate) hostCertResource {
	r := hostCertResource{CertificateKey: key, HostID: c.HostID, HostName: c.HostName, SerialNumber: c.Serial,
		NotBefore: c.NotBefore.UnixMilli(), TokenType: 4, State: 1, PublicKey: fakePublicKey, KeySize: 2048,
		HostType: c.HostType, CreateOn: c.NotBefore.UnixMilli(), UpdatedOn: c.NotBefore.UnixMilli(), IsCertDeleted: c.Deleted}
	if !c.NotAfter.IsZero() {
		ms := c.NotAfter.UnixMilli()
		r.NotAfter = &ms
	}
	if c.Revoked {
		r.State, r.RevocationReason = 2, 4 // superseded
	}
	return r
}
