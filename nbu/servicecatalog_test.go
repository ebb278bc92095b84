package nbu

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// sloServer serves n plans, `limit` at most a page (and cap at most, when set); meta renders a
// page's meta member ("" for none, as the spec documents the answer).
type sloServer struct {
	n, cap int
	meta   func(offset, limit, n int) string
	mu     sync.Mutex
	pages  []string // page[offset]/page[limit] asked
}

func (s *sloServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path != "/netbackup/servicecatalog/slos" {
		writeJSON(w, 404, errorJSON(404, "no such path"))
		return
	}
	off, _ := strconv.Atoi(q.Get("page[offset]"))
	limit, _ := strconv.Atoi(q.Get("page[limit]"))
	if s.cap > 0 {
		limit = min(limit, s.cap)
	}
	s.mu.Lock()
	s.pages = append(s.pages, q.Get("page[offset]")+"/"+q.Get("page[limit]"))
	s.mu.Unlock()
	var recs []string
	for i := off; i < min(off+limit, s.n); i++ {
		recs = append(recs, fmt.Sprintf(`{"id":"guid-%d","type":"slov3","attributes":{"name":"plan-%03d","workloadType":"VMWARE","subscriptionCount":%d}}`, i, i, i))
	}
	meta := ""
	if s.meta != nil {
		meta = s.meta(off, limit, s.n)
	}
	writeJSON(w, 200, `{"data":[`+strings.Join(recs, ",")+`]`+meta+`}`)
}

func collectSLOs(t *testing.T, c *Client, pageSize int) ([]SLO, error) {
	t.Helper()
	var out []SLO
	err := c.SLOs(testCtx(t), pageSize, func(s *SLO) error {
		out = append(out, *s)
		return nil
	})
	return out, err
}

// The spec documents no meta for this list: the last page is an empty one or one shorter than a
// page before it (a page shorter than the limit asked may be a server's cap); where a server sends
// meta.pagination anyway, its next or count spares the extra page.
func TestSLOsPaging(t *testing.T) {
	withNext := func(off, limit, n int) string {
		if off+limit >= n {
			return fmt.Sprintf(`,"meta":{"pagination":{"count":%d}}`, n)
		}
		return fmt.Sprintf(`,"meta":{"pagination":{"count":%d,"next":%d}}`, n, off+limit)
	}
	countOnly := func(_, _, n int) string { return fmt.Sprintf(`,"meta":{"pagination":{"count":%d}}`, n) }
	for _, tc := range []struct {
		name         string
		n, size, cap int
		meta         func(int, int, int) string
		wantAsks     []string
	}{
		{"no meta, short last page", 25, 10, 0, nil, []string{"0/10", "10/10", "20/10"}},
		{"no meta, full last page", 20, 10, 0, nil, []string{"0/10", "10/10", "20/10"}},
		{"no meta, none", 0, 10, 0, nil, []string{"0/10"}},
		{"no meta, one short page", 6, 0, 0, nil, []string{"0/100", "6/100"}},
		{"default page size", 150, 0, 0, nil, []string{"0/100", "100/100"}},
		{"page size capped", 3, 100000, 0, nil, []string{"0/500", "3/500"}},
		{"server caps page[limit]", 10, 100, 4, nil, []string{"0/100", "4/100", "8/100"}},
		{"meta with next", 20, 10, 0, withNext, []string{"0/10", "10/10"}},
		{"meta with count", 20, 10, 0, countOnly, []string{"0/10", "10/10"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sloServer{n: tc.n, cap: tc.cap, meta: tc.meta}
			c, _, _ := newTestClient(t, s, nil)
			got, err := collectSLOs(t, c, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n {
				t.Errorf("%d plans, want %d", len(got), tc.n)
			}
			if !reflect.DeepEqual(s.pages, tc.wantAsks) {
				t.Errorf("pages asked %v, want %v", s.pages, tc.wantAsks)
			}
		})
	}
}

// A server that ignores page[offset] sends the first page again: the walk stops with an error
// instead of paging until its bound.
func TestSLOsServerIgnoringOffsetIsStopped(t *testing.T) {
	s := &sloServer{n: 1000}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Set("page[offset]", "0")
		r.URL.RawQuery = q.Encode()
		s.ServeHTTP(w, r)
	})
	c, _, _ := newTestClient(t, h, nil)
	_, err := collectSLOs(t, c, 10)
	if err == nil || !strings.Contains(err.Error(), "ignores page[offset]") {
		t.Fatalf("err = %v, want the repeat detected", err)
	}
	if len(s.pages) != 2 {
		t.Errorf("%d pages read, want 2", len(s.pages))
	}
}

// Records without ids cannot show a repeat: the walk is bounded by the client's page limit.
func TestSLOsWalkIsBounded(t *testing.T) {
	full := `{"data":[{"attributes":{"name":"a"}},{"attributes":{"name":"b"}}]}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, full) }), nil)
	c.pageLimits.offsetPages = 5
	_, err := collectSLOs(t, c, 2)
	if err == nil || !strings.Contains(err.Error(), "still paging after 5 pages") {
		t.Fatalf("err = %v, want the walk bounded", err)
	}
}

// Odd shapes: a count as a string or a float, a count left out (unknown, not 0), a record
// without a name (its id names it), and one that is not an object.
func TestSLOsDecodeLeniently(t *testing.T) {
	page := `{"data":[
	 {"id":"g1","type":"slov3","attributes":{"name":"Gold","workloadType":"VMWARE","subscriptionCount":"12"}},
	 {"id":"g2","type":"slov3","attributes":{"name":"Silver","workloadType":"SQL_SERVER","subscriptionCount":3.0}},
	 {"id":"g3","type":"slov3","attributes":{"name":"Bronze","workloadType":"KUBERNETES"}},
	 {"id":"g4","type":"slov3","attributes":{"workloadType":7,"subscriptionCount":null}},
	 42
	]}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[offset]") != "0" {
			writeJSON(w, 200, `{"data":[]}`)
			return
		}
		writeJSON(w, 200, page)
	}), nil)
	got, err := collectSLOs(t, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []SLO{
		{ID: "g1", Name: "Gold", WorkloadType: "VMWARE", Subscriptions: Some[int64](12)},
		{ID: "g2", Name: "Silver", WorkloadType: "SQL_SERVER", Subscriptions: Some[int64](3)},
		{ID: "g3", Name: "Bronze", WorkloadType: "KUBERNETES"},
		{ID: "g4", Name: "g4", WorkloadType: "7"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plans:\n got %+v\nwant %+v", got, want)
	}
}
