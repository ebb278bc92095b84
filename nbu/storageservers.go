package nbu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
)

const (
	storageServersEndpoint = "/storage/storage-servers"
	// maxStorageServersPageSize is the spec's page[limit] maximum for this list (10.3 to 11.0).
	maxStorageServersPageSize = 100
)

// StorageServer is one /storage/storage-servers record, reduced to what the exporter uses. A
// field the server did not send is unknown, not zero.
type StorageServer struct {
	ID       string // data[].id, "<sType>:<name>" on NetBackup
	Name     string // attributes.name, else the name part of the id
	SType    string // attributes.sType (PureDisk, AdvancedDisk, ...), else the type part of the id
	Category string // storageCategory: MSDP, ADVANCED_DISK, CLOUD, CLOUD_CATALYST, OPEN_STORAGE, or as sent
	// Version is nbuHostVersion, which the spec gives for MSDP and ADVANCED_DISK only ("" = absent).
	Version string
	// State is storageServerState: UP or DOWN per the spec, other spellings as sent; "" = absent.
	State string
	// AdditionalMediaServers is the length of additionalMediaServersDetails.
	AdditionalMediaServers Known[int]
	// Pool is msdpAttributes.storagePoolDetails, for MSDP servers that send it.
	Pool StoragePool
}

// StoragePool is an MSDP storage server's storagePoolDetails; each size is known only when sent.
type StoragePool struct {
	SizeBytes, UsedBytes, AvailableBytes Known[int64]
}

type storageServerAttrs struct {
	Name               lString  `json:"name"`
	SType              lString  `json:"sType"`
	StorageCategory    lEnum    `json:"storageCategory"`
	NBUHostVersion     lString  `json:"nbuHostVersion"`
	StorageServerState lEnum    `json:"storageServerState"`
	AdditionalMedia    optCount `json:"additionalMediaServersDetails"`
	MSDP               struct {
		StoragePoolDetails struct {
			SizeBytes           optInt `json:"sizeBytes"`
			UsedSpaceBytes      optInt `json:"usedSpaceBytes"`
			AvailableSpaceBytes optInt `json:"availableSpaceBytes"`
		} `json:"storagePoolDetails"`
	} `json:"msdpAttributes"`
}

// StorageServers walks every page of GET /storage/storage-servers (offset paging, page[limit]
// = pageSize, 0 = the spec's maximum of 100) and calls fn for each storage server; the
// *StorageServer is reused after fn returns. Records with neither a name nor an id are dropped.
func (c *Client) StorageServers(ctx context.Context, pageSize int, fn func(*StorageServer) error) error {
	if fn == nil {
		return errors.New("nbu: StorageServers called with a nil callback")
	}
	var (
		id lString
		a  storageServerAttrs
		s  StorageServer
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", storageServerAttrs{} },
		emit: func() error {
			a.toStorageServer(string(id), &s)
			if s.Name == "" {
				return nil
			}
			return fn(&s)
		},
	}
	return unwrapCallback(c.offsetWalk(ctx, storageServersEndpoint, pageSize, maxStorageServersPageSize, sink))
}

func (a *storageServerAttrs) toStorageServer(id string, s *StorageServer) {
	idType, idName, _ := strings.Cut(id, ":")
	if idName == "" {
		idType, idName = "", id
	}
	p := &a.MSDP.StoragePoolDetails
	*s = StorageServer{
		ID:                     id,
		Name:                   orElse(string(a.Name), idName),
		SType:                  orElse(string(a.SType), idType),
		Category:               string(a.StorageCategory),
		Version:                string(a.NBUHostVersion),
		State:                  string(a.StorageServerState),
		AdditionalMediaServers: Known[int]{V: a.AdditionalMedia.n, OK: a.AdditionalMedia.set},
		Pool:                   StoragePool{p.SizeBytes.known(), p.UsedSpaceBytes.known(), p.AvailableSpaceBytes.known()},
	}
}

func orElse(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// optCount is the length of a JSON array that remembers whether an array was sent: an absent
// list is unknown, not empty. A value that is not an array counts as absent; the elements are
// skipped unread.
type optCount struct {
	n   int
	set bool
}

func (o *optCount) UnmarshalJSON(b []byte) error {
	*o = optCount{}
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	n := 0
	for dec.More() {
		if err := dec.Decode(&skipValue{}); err != nil {
			return nil
		}
		n++
	}
	o.n, o.set = n, true
	return nil
}
