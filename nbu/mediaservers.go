package nbu

import "context"

const mediaServersEndpoint = "/config/media-servers"

// MediaServer is one /config/media-servers record (every API version; the
// schema is in the 10.3 config.yaml, mediaServerResponseData).
type MediaServer struct {
	Name             string // attributes.hostName, else data[].id
	OSType           string
	OSVersion        string
	OSReleaseVersion string
	NBUVersion       string
	// MachineUp is isMachineUp, which is optional: its absence is not read as down.
	MachineUp Known[bool]
	// Status is status.name: ACTIVE_FOR_TAPE_AND_DISK, ACTIVE_FOR_TAPE,
	// ACTIVE_FOR_DISK, DEACTIVATED, OFFLINE, VIRTUAL_NODE.
	Status      string
	ClusterName string
}

type mediaServerAttrs struct {
	HostName         lString    `json:"hostName"`
	OSType           lString    `json:"osType"`
	OSVersion        lString    `json:"osVersion"`
	OSReleaseVersion lString    `json:"osReleaseVersion"`
	NBUVersion       lString    `json:"nbuVersion"`
	IsMachineUp      optBool    `json:"isMachineUp"`
	Status           hostStatus `json:"status"`
	ClusterName      lString    `json:"clusterName"`
}

// MediaServers fetches every page of GET /config/media-servers (offset
// paging, page[limit] = pageSize, 0 = 500).
func (c *Client) MediaServers(ctx context.Context, pageSize int) ([]MediaServer, error) {
	return offsetList(ctx, c, mediaServersEndpoint, pageSize, maxOffsetPageSize, func(id string, a *mediaServerAttrs) (MediaServer, bool) {
		return MediaServer{
			Name: orElse(string(a.HostName), id), OSType: string(a.OSType), OSVersion: string(a.OSVersion),
			OSReleaseVersion: string(a.OSReleaseVersion), NBUVersion: string(a.NBUVersion),
			MachineUp: a.IsMachineUp.known(),
			Status:    HostStatuses.Normalize(string(a.Status)), ClusterName: string(a.ClusterName),
		}, true
	})
}

// hostStatus is status.name as documented ({"name": ..., "resourceBundleKey": ...}),
// or the status itself where a server sends a plain string.
type hostStatus string

func (h *hostStatus) UnmarshalJSON(b []byte) error {
	*h = ""
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			Name lEnum `json:"name"`
		}
		_ = decodeLenientBytes(b, &o)
		*h = hostStatus(o.Name)
		return nil
	}
	var e lEnum
	_ = e.UnmarshalJSON(b)
	*h = hostStatus(e)
	return nil
}
