package nbu

import (
	"context"
	"encoding/json"
	"io"
)

const serverInfoEndpoint = "/security/serverinfo"

// maxHostNameBytes bounds a host name read from NetBackup: a DNS name is at most 253 bytes, and
// a longer value is not a name to filter on or to label with.
const maxHostNameBytes = 253

// ServerInfo is what GET /security/serverinfo says about the primary (every API version).
type ServerInfo struct {
	// ServerName is the primary's name as NetBackup knows it (serverName); "" when absent or not
	// a plausible host name.
	ServerName string
}

type serverInfoBody struct {
	ServerName lString `json:"serverName"`
}

// ServerInfo reads GET /security/serverinfo, one small object.
func (c *Client) ServerInfo(ctx context.Context) (ServerInfo, error) {
	var b serverInfoBody
	err := c.call(ctx, serverInfoEndpoint, nil, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		if err := decodeLenient(dec, &b); err != nil && err != io.EOF {
			return describe(dec, "", err)
		}
		return nil
	})
	if err != nil {
		return ServerInfo{}, err
	}
	info := ServerInfo{ServerName: string(b.ServerName)}
	if len(info.ServerName) > maxHostNameBytes {
		info.ServerName = ""
	}
	return info, nil
}
