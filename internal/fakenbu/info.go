package fakenbu

import (
	"net/http"
	"strconv"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

// releaseOf maps an API version to the NetBackup release that introduced it.
var releaseOf = apiversion.Release

// nbuVersion is the release a real primary serving the highest configured
// API version would report; an unknown version is reported as itself.
func (s *Server) nbuVersion() string {
	if r, ok := releaseOf[s.maxVersion]; ok {
		return r
	}
	return s.maxVersion
}

type serverInfo struct {
	ServerName          string `json:"serverName"`
	NbuVersion          string `json:"nbuVersion"`
	CacpivConnectorPort int    `json:"cacpivConnectorPort"`
	NbuKeySize          int    `json:"nbuKeySize"`
	MasterHostID        string `json:"masterHostId"`
	ExternalCaUsage     int    `json:"externalCaUsage"`
	CacpivEnabled       int    `json:"cacpivEnabled"`
	SsoEnabled          bool   `json:"ssoEnabled"`
	DomainType          string `json:"domainType"`
}

func (s *Server) handleServerInfo(w http.ResponseWriter, _ *http.Request, rc *reqCtx) {
	s.writeJSON(w, rc, http.StatusOK, serverInfo{
		ServerName:   s.serverName,
		NbuVersion:   s.nbuVersion(),
		NbuKeySize:   2048,
		MasterHostID: "2a7c1d6e-9f3b-4c58-8e21-5b0d7f4a6c13",
		DomainType:   "unixpwd",
	})
}

// handlePing answers with the server time in milliseconds, as plain text.
func (s *Server) handlePing(w http.ResponseWriter, _ *http.Request, rc *reqCtx) {
	body := strconv.FormatInt(s.now().UnixMilli(), 10)
	w.Header().Set("Content-Type", s.contentType(mediaPlain, rc))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
}
