package fakenbu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// /storage/storage-servers as storage.yaml has it: offset paging with page[limit] 1..100
// (default 10), ids "<sType>:<name>", the state UP or DOWN, nbuHostVersion only where given.
func TestStorageServersServedPerSpec(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetStorageServers(DemoStorageServers())
	r := do(t, ts, "/netbackup/storage/storage-servers", url.Values{"page[limit]": {"2"}, "sort": {"name"}}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var page struct {
		Data []struct {
			ID         string         `json:"id"`
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
		Meta struct {
			Pagination struct {
				Count int  `json:"count"`
				Next  *int `json:"next"`
			} `json:"pagination"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || page.Meta.Pagination.Count != 4 || page.Meta.Pagination.Next == nil || *page.Meta.Pagination.Next != 2 {
		t.Fatalf("page = %+v", page)
	}
	first := page.Data[0]
	if first.ID != "PureDisk:media01.example.com" || first.Type != "storageServer" || first.Attributes["storageServerState"] != "UP" ||
		first.Attributes["nbuHostVersion"] != "10.5" {
		t.Errorf("first record = %+v", first)
	}
	for _, tc := range []struct {
		q    url.Values
		want int
	}{
		{url.Values{"page[limit]": {"101"}}, http.StatusBadRequest},
		{url.Values{"page[limit]": {"0"}}, http.StatusBadRequest},
		{url.Values{"filter": {"name eq 'x'"}}, http.StatusBadRequest},
		{url.Values{"page[limit]": {"100"}}, http.StatusOK},
	} {
		if r := do(t, ts, "/netbackup/storage/storage-servers", tc.q, nil); r.status != tc.want {
			t.Errorf("%v: status %d, want %d: %s", tc.q, r.status, tc.want, r.body)
		}
	}
	s.FailEndpoint("/storage/storage-servers", http.StatusForbidden)
	if r := do(t, ts, "/netbackup/storage/storage-servers", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("FailEndpoint 403: status %d", r.status)
	}
}

// /servicecatalog/slos as servicecatalog.yaml has it: data only (no meta, no links), page[limit]
// default 10 and no maximum, sorted by -name unless asked otherwise.
func TestSLOsServedPerSpec(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetSLOs(DemoSLOs())
	r := do(t, ts, "/netbackup/servicecatalog/slos", url.Values{"page[limit]": {"4"}}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page["data"] == nil {
		t.Errorf("members %v, want data only", page)
	}
	var data []struct {
		Type       string `json:"type"`
		Attributes struct {
			Name              string `json:"name"`
			SubscriptionCount *int   `json:"subscriptionCount"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal(page["data"], &data); err != nil {
		t.Fatal(err)
	}
	if len(data) != 4 || data[0].Attributes.Name != "Silver-VMware" || data[0].Type != "slov3" || data[0].Attributes.SubscriptionCount == nil {
		t.Errorf("first page = %+v", data)
	}
	if r := do(t, ts, "/netbackup/servicecatalog/slos", url.Values{"page[offset]": {"4"}, "page[limit]": {"1000000000000"}}, nil); r.status != http.StatusOK {
		t.Errorf("a large page[limit]: status %d", r.status)
	}
	if r := do(t, ts, "/netbackup/servicecatalog/slos", url.Values{"sort": {"subscriptionCount"}}, nil); r.status != http.StatusBadRequest {
		t.Errorf("an unsupported sort: status %d", r.status)
	}
	s.FailEndpoint("/servicecatalog/slos", http.StatusForbidden)
	if r := do(t, ts, "/netbackup/servicecatalog/slos", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("FailEndpoint 403: status %d", r.status)
	}
}
