package nbu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLenientScalars(t *testing.T) {
	type row struct {
		S lString `json:"s"`
		I lInt    `json:"i"`
		F lFloat  `json:"f"`
		B lBool   `json:"b"`
		T lTime   `json:"t"`
		O optInt  `json:"o"`
	}
	tests := []struct {
		in   string
		want row
	}{
		{`{}`, row{}},
		{`{"s":null,"i":null,"f":null,"b":null,"t":null,"o":null}`, row{}},
		{`{"s":"x","i":5,"f":1.5,"b":true,"o":0}`, row{S: "x", I: 5, F: 1.5, B: true, O: optInt{0, true}}},
		{`{"s":12,"i":"12","f":"2.25","b":"true","o":"7"}`, row{S: "12", I: 12, F: 2.25, B: true, O: optInt{7, true}}},
		{`{"s":-1.5e3,"i":12.9,"f":3,"b":1}`, row{S: "-1.5e3", I: 12, F: 3, B: true}},
		{`{"i":-12.9,"f":"-0.5","b":0}`, row{I: -12, F: -0.5}},
		{`{"i":1e3,"f":1e400}`, row{I: 1000}},
		{`{"i":"1e3","b":"0"}`, row{I: 1000}},
		{`{"i":9223372036854775807}`, row{I: math.MaxInt64}},
		{`{"i":-9223372036854775808}`, row{I: math.MinInt64}},
		{`{"i":99999999999999999999}`, row{}},
		{`{"i":"abc","f":"abc","b":"maybe","o":"abc"}`, row{}},
		{`{"i":"","f":"","b":"","o":""}`, row{}},
		{`{"i":true,"f":false,"s":true,"b":"yes"}`, row{}},
		{`{"s":{"a":1},"i":[1],"f":{},"b":[],"t":{},"o":[]}`, row{}},
		{`{"s":"tab\tand \u00e9 \"q\""}`, row{S: "tab\tand é \"q\""}},
		{`{"f":"NaN"}`, row{}},
		{`{"f":"Inf"}`, row{}},
		{`{"t":"2026-01-02T03:04:05Z"}`, row{T: lTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}},
		{`{"t":"2026-01-02T03:04:05.5Z"}`, row{T: lTime(time.Date(2026, 1, 2, 3, 4, 5, 5e8, time.UTC))}},
		{`{"t":"2026-01-02T03:04:05.123456789Z"}`, row{T: lTime(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC))}},
		{`{"t":"2026-01-02T05:04:05+02:00"}`, row{T: lTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}},
		{`{"t":"2026-01-02T03:04:05"}`, row{T: lTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}},
		{`{"t":"2026-02-30T03:04:05Z"}`, row{}},
		{`{"t":"2026-13-02T03:04:05Z"}`, row{}},
		{`{"t":"yesterday"}`, row{}},
		{`{"t":""}`, row{}},
		{`{"t":1700000000}`, row{}},
	}
	for _, tt := range tests {
		var got row
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("%s: unexpected error %v", tt.in, err)
			continue
		}
		if !time.Time(got.T).Equal(time.Time(tt.want.T)) {
			t.Errorf("%s: time = %v, want %v", tt.in, time.Time(got.T), time.Time(tt.want.T))
		}
		got.T, tt.want.T = lTime{}, lTime{}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestErrorBodyDecoding(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want errorBody
	}{
		{`{"errorCode":1,"errorMessage":"m","errorDetails":["a","b"]}`, true, errorBody{1, "m", lStringSet{"a", "b"}}},
		{`{"errorCode":"2","errorMessage":"m","errorDetails":"single"}`, true, errorBody{2, "m", lStringSet{"single"}}},
		{`{"errorCode":3,"errorDetails":[1,{"x":1},"c",null]}`, true, errorBody{3, "", lStringSet{"1", "c"}}},
		{`{"errorMessage":"only"}`, true, errorBody{ErrorMessage: "only"}},
		{`{}`, false, errorBody{}},
		{`<html>`, false, errorBody{}},
		{`{"errorCode":`, false, errorBody{}},
		{``, false, errorBody{}},
	}
	for _, tt := range tests {
		var eb errorBody
		ok := decodeErrorBody([]byte(tt.in), &eb)
		if ok != tt.ok || (ok && fmt.Sprint(eb) != fmt.Sprint(tt.want)) {
			t.Errorf("%s: got %v %+v, want %v %+v", tt.in, ok, eb, tt.ok, tt.want)
		}
	}
}

func TestCapReader(t *testing.T) {
	tests := []struct {
		size, limit int
		wantErr     bool
	}{{0, 10, false}, {10, 10, false}, {11, 10, true}, {1000, 10, true}}
	for _, tt := range tests {
		r := &capReader{r: strings.NewReader(strings.Repeat("x", tt.size)), left: int64(tt.limit), limit: int64(tt.limit)}
		b, err := io.ReadAll(r)
		if tt.wantErr != errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("size %d limit %d: err = %v", tt.size, tt.limit, err)
		}
		if !tt.wantErr && len(b) != tt.size {
			t.Errorf("size %d: read %d", tt.size, len(b))
		}
	}
}

// decodeJobsPage runs a page through the decoder Jobs uses, and decodeOffsetPage through the
// walker the offset-paged endpoints use, for the fuzz targets and the benchmarks.
func decodeJobsPage(r io.Reader, fn func(*Job) error) (next string, skipped int, err error) {
	d := newJobsDecoder(fn, func(int, string) { skipped++ })
	defer d.release()
	err = d.decodePage(r)
	return string(d.page.next), skipped, err
}

func decodeOffsetPage(r io.Reader) (units []StorageUnit, meta offsetMeta, err error) {
	var (
		id lString
		a  storageUnitAttrs
	)
	err = walkPage(r, &recordSink{
		id: &id, attrs: &a, meta: &meta,
		reset: func() { id, a = "", storageUnitAttrs{} },
		emit:  func() error { units = append(units, a.toStorageUnit(string(id))); return nil },
		skip:  func(int, string) {},
	})
	return units, meta, err
}

func FuzzDecodeJobsPage(f *testing.F) {
	if b, err := os.ReadFile("testdata/admin_jobs_example.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(cursorPage("c1", jobJSON(1), `"str"`, `null`, `{"id":7,"attributes":"x"}`)))
	f.Add([]byte(`{"data":[{"attributes":{"jobId":"1e3","startTime":"2026-01-02T03:04:05.5Z","dedupRatio":"NaN"}}]}`))
	f.Add([]byte(`{"data":{"id":1},"meta":{"pagination":{"next":5}}}`))
	f.Add([]byte(`{"data":[{"id":"1","attributes":{"jobId":1`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		_, _, err := decodeJobsPage(bytes.NewReader(b), func(j *Job) error {
			n++
			if math.IsNaN(j.DedupRatio) || math.IsInf(j.DedupRatio, 0) {
				t.Fatalf("non-finite DedupRatio from %q", b)
			}
			return nil
		})
		checkAccepted(t, b, err)
	})
}

// checkAccepted fails when a page decoded without error although it is not a
// JSON document (trailing bytes after the document are never read, as with
// json.Decoder).
func checkAccepted(t *testing.T, b []byte, err error) {
	t.Helper()
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return
	}
	var v any
	if derr := json.NewDecoder(bytes.NewReader(b)).Decode(&v); derr != nil {
		t.Fatalf("invalid JSON %q accepted (%v)", b, derr)
	}
}

func FuzzDecodeOffsetPage(f *testing.F) {
	f.Add([]byte(offsetPage(0, 2, "2", 5, suJSON("a"), suJSON("b"))))
	f.Add([]byte(`{"data":[7,{"id":"x","attributes":{"isCloudSTU":"1","freeCapacityBytes":"1.5e3"}}],"meta":{"pagination":{"next":"4"}}}`))
	f.Add([]byte(`{"meta":{"pagination":{"next":-1,"count":null}}}`))
	f.Add([]byte(`{"data":[{"id":"a","attributes":{"name":"\u0000"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		units, meta, err := decodeOffsetPage(bytes.NewReader(b))
		checkAccepted(t, b, err)
		if meta.Pagination.Next.v != 0 && !meta.Pagination.Next.set {
			t.Fatalf("next value without presence: %+v", meta.Pagination.Next)
		}
		for _, u := range units {
			_ = u.Name
		}
	})
}

// benchJobsPage builds a realistic 100-job page with ~40 attributes per job.
func benchJobsPage() []byte {
	var b strings.Builder
	b.WriteString(`{"links":{"self":{"href":"https://nbu:1556/netbackup/admin/jobs?page%5Blimit%5D=100"},"next":{"href":"https://nbu:1556/netbackup/admin/jobs?page%5Bafter%5D=abc"}},"data":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		id := 100000 + i
		fmt.Fprintf(&b, `{"links":{"self":{"href":"/admin/jobs/%[1]d"},"file-lists":{"href":"https://nbu:1556/netbackup/admin/jobs/%[1]d/file-lists"},"try-logs":{"href":"https://nbu:1556/netbackup/admin/jobs/%[1]d/try-logs"}},`+
			`"type":"job","id":"%[1]d","meta":{"page":{"cursor":"%[1]d"}},"attributes":{`+
			`"jobId":%[1]d,"parentJobId":%[2]d,"activeProcessId":8624,"mainProcessId":0,"jobType":"BACKUP","jobSubType":"SCHEDULED",`+
			`"policyType":"VMWARE","policyName":"vmware-prod-%[3]d","scheduleType":"FULL_BACKUP","scheduleName":"daily","clientName":"client-%[3]d.example.com",`+
			`"controlHost":"media01","jobOwner":"root","jobGroup":"root","backupId":"client-%[3]d_1767225600","sourceMediaId":"",`+
			`"destinationStorageUnitName":"stu-msdp-01","destinationMediaServerName":"media01","dataMovement":"STANDARD","streamNumber":0,`+
			`"copyNumber":1,"priority":0,"retentionLevel":3,"compression":0,"status":%[4]d,"state":"DONE","numberOfFiles":%[5]d,`+
			`"estimatedFiles":%[5]d,"kilobytesTransferred":%[6]d,"kilobytesToTransfer":0,"transferRate":51234,"percentComplete":100,`+
			`"restartable":0,"suspendable":0,"resumable":0,"frozenImage":0,"transportType":"LAN","currentOperation":-99,`+
			`"jobQueueReason":0,"jobQueueResource":"","dedupRatio":87.5,"acceleratorOptimization":12.25,`+
			`"startTime":"2026-01-01T01:%02[7]d:00.000Z","endTime":"2026-01-01T02:%02[7]d:30.000Z","activeTryStartTime":"2026-01-01T01:%02[7]d:00.000Z",`+
			`"lastUpdateTime":"2026-01-01T02:%02[7]d:30.512Z","kilobytesDataTransferred":%[6]d,"try":1,"elapsedTime":"PT1H0M30S",`+
			`"activeElapsedTime":"PT1H0M30S","childCount":0,"jobPath":"%[2]d.%[1]d"}}`,
			id, id-i%3, i%17, i%5, 1000+i, 1048576*(i+1), i%60)
	}
	b.WriteString(`],"meta":{"pagination":{"limit":100,"next":"abc","prev":"xyz"}}}`)
	return []byte(b.String())
}

func BenchmarkDecodeJobsPage(b *testing.B) {
	page := benchJobsPage()
	// Sanity: the page decodes fully before it is timed.
	var n int
	next, _, err := decodeJobsPage(bytes.NewReader(page), func(j *Job) error {
		if j.JobID == 0 || j.StartTime.IsZero() || j.DedupRatio != 87.5 {
			return fmt.Errorf("bad job %+v", *j)
		}
		n++
		return nil
	})
	if err != nil || n != 100 || next != "abc" {
		b.Fatalf("n = %d next = %q err = %v", n, next, err)
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	r := bytes.NewReader(page)
	for b.Loop() {
		r.Reset(page)
		if _, _, err := decodeJobsPage(r, func(*Job) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
