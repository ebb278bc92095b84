package nbu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeJobsPageStd runs a page through walkPageStd with jobAttrs: encoding/json decoding into
// jobAttrs, the reference the jobs decoder is held to; decodeJobsPageGeneric through walkPage,
// as the other endpoints' records are decoded.
func decodeJobsPageStd(r io.Reader, fn func(*Job) error, skip func(int, string)) (next string, err error) {
	return decodeJobAttrs(walkPageStd, r, fn, skip)
}

func decodeJobsPageGeneric(r io.Reader, fn func(*Job) error, skip func(int, string)) (next string, err error) {
	return decodeJobAttrs(walkPage, r, fn, skip)
}

func decodeJobAttrs(walk func(io.Reader, *recordSink) error, r io.Reader, fn func(*Job) error, skip func(int, string)) (next string, err error) {
	var (
		job  Job
		id   lString
		a    jobAttrs
		meta cursorMeta
	)
	err = walk(r, &recordSink{
		id: &id, attrs: &a, meta: &meta,
		reset: func() { id, a = "", jobAttrs{} },
		emit:  func() error { a.toJob(&job, string(id)); return fn(&job) },
		skip:  skip,
	})
	return string(meta.Pagination.Next), err
}

// decodeResult is everything a decoder tells the walk about one page.
type decodeResult struct {
	jobs  []Job
	kinds []string // of the skipped elements, with their index
	next  string
	class string // of the error
}

func (r decodeResult) String() string {
	return fmt.Sprintf("class %s, next %q, skipped %q, %d jobs", r.class, r.next, r.kinds, len(r.jobs))
}

func stdResult(r io.Reader) decodeResult {
	var res decodeResult
	next, err := decodeJobsPageStd(r, res.collect, res.skipped)
	res.next, res.class = next, errClass(err)
	return res
}

func genericResult(r io.Reader) decodeResult {
	var res decodeResult
	next, err := decodeJobsPageGeneric(r, res.collect, res.skipped)
	res.next, res.class = next, errClass(err)
	return res
}

func jobsResult(r io.Reader) decodeResult {
	var res decodeResult
	d := newJobsDecoder(res.collect, res.skipped)
	err := d.decodePage(r)
	res.next, res.class = string(d.page.next), errClass(err)
	return res
}

// pageReaders read b whole, in pieces of 1 to 7 bytes and of 61 bytes (tokens cross reads), and
// in pieces of 61 bytes until a reader error that comes with the bytes of its read, halfway.
func pageReaders(b []byte) map[string]func() io.Reader {
	return map[string]func() io.Reader{
		"whole":              func() io.Reader { return bytes.NewReader(b) },
		"reads of 1-7 bytes": func() io.Reader { return &chunkReader{s: string(b), n: 1 + len(b)%7} },
		"reads of 61 bytes":  func() io.Reader { return &chunkReader{s: string(b), n: 61} },
		"a reader error":     func() io.Reader { return &failingReader{s: string(b[:len(b)/2]), n: 61} },
	}
}

var errReaderTest = errors.New("the reader fails")

// failingReader returns at most n bytes per Read, and errReaderTest with the last of s.
type failingReader struct {
	s string
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	k := copy(p[:min(len(p), f.n)], f.s)
	f.s = f.s[k:]
	if f.s == "" {
		return k, errReaderTest
	}
	return k, nil
}

func (r *decodeResult) collect(j *Job) error { r.jobs = append(r.jobs, *j); return nil }

func (r *decodeResult) skipped(i int, kind string) { r.kinds = append(r.kinds, fmt.Sprint(i, kind)) }

// errClass is what callers can tell apart of a decoding error. Both decoders say "malformed
// JSON" for a syntax error, and both libraries "exceeded max depth" for nesting too deep.
func errClass(err error) string {
	var (
		ute *json.UnmarshalTypeError
		ce  *callbackError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ce):
		return "callback"
	case errors.Is(err, errReaderTest):
		return classReaderError
	case errors.Is(err, ErrBodyTooLarge):
		return "body too large"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated"
	case strings.Contains(err.Error(), "exceeded max depth"):
		return classTooDeep
	case strings.Contains(err.Error(), "malformed JSON"):
		return "malformed"
	case errors.As(err, &ute), errors.Is(err, errNumberRange):
		return "type error"
	case strings.Contains(err.Error(), "not an object"):
		return "not an object"
	}
	return "other: " + err.Error()
}

const (
	classTooDeep     = "too deep"
	classReaderError = "reader error"
)

// checkDecodersAgree fails when the result of the jobs decoder, or of walkPage's, for b differs
// from encoding/json's, read whole or in pieces: the same jobs, field by field, the same skips, the same error class and
// the same meta.pagination.next.
func checkDecodersAgree(t *testing.T, b []byte) {
	t.Helper()
	for how, reader := range pageReaders(b) {
		want := stdResult(reader())
		for name, got := range map[string]decodeResult{"jobs": jobsResult(reader()), "walkPage": genericResult(reader())} {
			if !resultsAgree(b, want, got) {
				t.Fatalf("%s: decoders disagree on %q\nstd:  %v\n%s: %v\n%s", how, truncate(string(b), 2000), want, name, got, firstJobDiff(want.jobs, got.jobs))
			}
		}
	}
}

// resultsAgree allows two differences, both where the libraries read the input differently.
//
// Both stop at 10000 levels of nesting, but jsontext counts them from the document and
// encoding/json from the value each Decode call reads (a data[] element, attributes, meta, a
// skipped member), at most 2 levels fewer. So a page nesting 10001 or 10002 levels deep is too
// deep for the jobs decoder only; its records up to that point must still agree.
//
// encoding/json reads one byte past a scalar before it takes the scalar whole; jsontext does not
// need to. So when the reader fails right after a data[] element that is skipped (a string, a
// number...), encoding/json fails before telling the skip, the jobs decoder after: the page fails
// alike, and the jobs decoder has told one skip more.
func resultsAgree(page []byte, std, jobs decodeResult) bool {
	if jobs.class == classTooDeep && std.class != classTooDeep && nesting(page) <= maxNesting+2 {
		n := len(jobs.jobs)
		return n <= len(std.jobs) && slices.Equal(jobs.jobs, std.jobs[:n])
	}
	kinds := jobs.kinds
	if std.class == classReaderError && len(kinds) == len(std.kinds)+1 {
		kinds = kinds[:len(std.kinds)]
	}
	return jobs.class == std.class && jobs.next == std.next && slices.Equal(kinds, std.kinds) && slices.Equal(jobs.jobs, std.jobs)
}

// maxNesting is the nesting limit of encoding/json and of jsontext.
const maxNesting = 10000

// nesting is the deepest nesting of brackets in b outside strings (b need not be valid JSON).
func nesting(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func firstJobDiff(a, b []Job) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("job %d:\nstd:  %+v\njobs: %+v", i, a[i], b[i])
		}
	}
	return ""
}

func TestJobsDecoderMatchesStdOnShapes(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	veritas, err := os.ReadFile("testdata/admin_jobs_example.json")
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{
		string(veritas), ``, ` `, `{}`, `[]`, `null`, `"x"`, `1e400`, `12`, `tru`, `}`, `{`, `x`,
		`{"data":null}`, `{"data":"x"}`, `{"data":true}`, `{"data":1.5}`, `{"data":1e400}`, `{"data":-}`,
		`{"data":[]}`, `{"data":[1,"a",null,true,[1,{}],{}]}`, `{"data":[1,]}`, `{"data":[,1]}`, `{"data":[1 2]}`,
		`{"data":[{}x]}`, `{"data":[1x]}`, `{"data":["a"x]}`, `{"data":]}`, `{"data":[`, `{"data":[{"id":"1"`,
		`{"data":{"id":1,"attributes":{"jobId":2}},"meta":{"pagination":{"next":"n"}}}`,
		`{"data":{"ID":1,"id":null,"attributes":null,"attributes":{"JOBID":3}}}`,
		`{"data":[{"ID":"a","Attributes":{"JobId":5,"STATUS":"7"}}]}`,
		`{"data":[{"id":"1","id":null,"id":"2","attributes":{"jobId":1},"attributes":null,"attributes":{"status":3}}]}`,
		`{"data":[{"id":{"a":1},"attributes":{"jobId":[1],"policyName":{"x":1},"dedupRatio":"2.5"}}]}`,
		`{"data":[{"attributes":"n/a","id":7},{"attributes":[1,2]},{"attributes":12}]}`,
		`{"data":[{"attributes":{"\u017Ftatus":4,"\u212Ailobytestransferred":9,"job\u0049d":6,"jobıd":8}}]}`,
		`{"data":[{"attributes":{"policyName":"a\u00e9\"b","clientName":"\xff\xfe","jobType":"NEW\u0041","state":"DONE"}}]}`,
		`{"d\u0061ta":[{"id":1}],"m\u0065ta":{"p\u0061gination":{"NEXT":5}}}`,
		`{"meta":{"pagination":{"next":"a"}},"meta":{},"meta":{"pagination":[1]},"meta":"x"}`,
		`{"meta":{"pagination":{"next":null}}}`, `{"meta":{"pagination":{"next":{"x":1}}}}`,
		`{"data":[{"attributes":{"x":` + deep(9998) + `}}]}`, `{"data":[{"attributes":{"x":` + deep(9999) + `}}]}`,
		`{"data":{"attributes":{"x":` + deep(9999) + `}}}`, `{"data":{"attributes":{"x":` + deep(10000) + `}}}`,
		`{"links":` + deep(10000) + `}`, `{"links":` + deep(10001) + `}`, `{"data":[` + deep(10000) + `]}`, `{"data":[` + deep(10001) + `]}`,
		`{"data":[{"attributes":{"s":"\u12"}}]}`, `{"data":[{"attributes":{"s":"\q"}}]}`, "{\"data\":[{\"attributes\":{\"s\":\"\x01\"}}]}",
		`{"data":[{"attributes":{"n":01}}]}`, `{"data":[{"attributes":{"n":1.}}]}`, `{"data":[{"attributes":{"n":1.e5}}]}`,
		`{"data":[{"attributes":{"n":-0.5E+3,"jobId":-0,"status":1e2}}]}`, `{"data":[{"attributes":{"n":1e}}]}`,
		`{"data":[{"attributes":{"jobId":1`, `{"data":[{"attributes":{"jobId":"1`, `{"data":[{"attributes":{"jobId":nul`,
		`{"data":[{"attributes":{"jobId" 1}}]}`, `{"data":[{"attributes":{1:1}}]}`, `{"data":[{"attributes":{"a":1,}}]}`,
		`{"data":[],"data":[{"id":"2"}]} trailing garbage`, `{"a":1 "b":2}`, `{,"a":1}`, "{\"data\":[]}\x00",
		`12x`, `"x`, `nul`, `{{`, `{t`, `{1`, `{[`, `{]`, `{"data":{{`, `{"data":[{"a":1,{`, `{"meta":{"pagination":{tru`, `{"data":[1e400,{"id":3}]}`, `{"data":{"id":1,"attributes":"x","meta":{"page":{"cursor":"c"}}}}`,
		// jsontext's limit, counted from the document: 10000 levels pass, 10001 do not.
		`{"data":[{"attributes":{"x":` + deep(9996) + `}}]}`, `{"data":[{"attributes":{"x":` + deep(9997) + `}}]}`,
		`{"links":` + deep(9999) + `}`, `[` + deep(9999) + `]`, `{"data":[{"id":1},{"id":2,"x":` + deep(9997) + `}]}`,
	}
	for _, p := range pages {
		checkDecodersAgree(t, []byte(p))
	}
}

// TestJobsDecoderMatchesStdOnRandomPages: random pages of random jobs, then broken copies of
// them (cut, a byte changed, a byte inserted): same jobs, same skips, same error class.
func TestJobsDecoderMatchesStdOnRandomPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2026))
	n := 300
	if testing.Short() {
		n = 50
	}
	for range n {
		page := randomPage(rng)
		checkDecodersAgree(t, page)
		for range 4 {
			checkDecodersAgree(t, breakPage(rng, page))
		}
	}
}

// mutationBytes are the bytes a broken page most likely gets wrong: JSON's own.
const mutationBytes = "\"{}[],:\\ 0a-1e.nxu\xff"

func breakPage(rng *rand.Rand, page []byte) []byte {
	b := slices.Clone(page)
	i := rng.IntN(len(b))
	switch rng.IntN(4) {
	case 0:
		return b[:i]
	case 1:
		b[i] = mutationBytes[rng.IntN(len(mutationBytes))]
		return b
	case 2:
		return slices.Insert(b, i, mutationBytes[rng.IntN(len(mutationBytes))])
	}
	return slices.Delete(b, i, i+1)
}

// randomPage writes an /admin/jobs page whose records mix well-formed jobs with every oddity the
// lenient decoding has to get right.
func randomPage(rng *rand.Rand) []byte {
	var w pageWriter
	w.rng = rng
	w.raw("{")
	members := []func(){
		func() { w.key("links"); w.value(2) },
		func() { w.key("data"); w.data() },
		func() { w.key("meta"); w.meta() },
	}
	rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	for i, m := range members[:1+rng.IntN(3)] {
		if i > 0 {
			w.raw(",")
		}
		m()
	}
	w.raw("}")
	return w.b.Bytes()
}

type pageWriter struct {
	b   bytes.Buffer
	rng *rand.Rand
}

func (w *pageWriter) raw(s string) {
	w.b.WriteString(s)
	if w.rng.IntN(8) == 0 {
		w.b.WriteString([]string{" ", "\n  ", "\t", "\r\n"}[w.rng.IntN(4)])
	}
}

func (w *pageWriter) pick(s ...string) string { return s[w.rng.IntN(len(s))] }

func (w *pageWriter) key(k string) { w.raw(`"` + k + `"`); w.raw(":") }

func (w *pageWriter) data() {
	switch w.rng.IntN(12) {
	case 0:
		w.raw(w.pick(`null`, `"x"`, `7`, `true`))
		return
	case 1:
		w.record()
		return
	}
	w.raw("[")
	for i := range w.rng.IntN(6) {
		if i > 0 {
			w.raw(",")
		}
		if w.rng.IntN(10) == 0 {
			w.raw(w.pick(`null`, `"str"`, `17`, `[1,2]`, `false`, `{}`))
			continue
		}
		w.record()
	}
	w.raw("]")
}

func (w *pageWriter) record() {
	w.raw("{")
	parts := []func(){
		func() { w.key("links"); w.raw(`{"self":{"href":"/admin/jobs/1"}}`) },
		func() { w.key("type"); w.raw(`"job"`) },
		func() {
			w.key(w.pick("id", "id", "id", "ID", "Id"))
			w.raw(w.pick(`"42"`, `42`, `null`, `{"a":1}`, `"x\u00e9"`, `true`, `-1.5e3`))
		},
		func() { w.key("attributes"); w.attributes() },
		func() {
			w.key(w.pick("attributes", "Attributes"))
			w.raw(w.pick(`null`, `"n/a"`, `[1]`, `{"jobId":99}`))
		},
		func() { w.key("meta"); w.raw(`{"page":{"cursor":"1"}}`) },
	}
	w.rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	n := len(parts)
	if w.rng.IntN(3) == 0 {
		n = w.rng.IntN(len(parts) + 1)
	}
	for i, p := range parts[:n] {
		if i > 0 {
			w.raw(",")
		}
		p()
	}
	w.raw("}")
}

var attrNames = []string{"jobId", "parentJobId", "jobType", "policyType", "policyName", "clientName",
	"scheduleType", "state", "status", "jobQueueReason", "kilobytesTransferred", "numberOfFiles",
	"dedupRatio", "startTime", "endTime", "lastUpdateTime"}

func (w *pageWriter) attributes() {
	w.raw("{")
	n := 1 + w.rng.IntN(24)
	for i := range n {
		if i > 0 {
			w.raw(",")
		}
		name := attrNames[w.rng.IntN(len(attrNames))]
		switch w.rng.IntN(12) {
		case 0:
			name = strings.ToUpper(name)
		case 1:
			name = strings.ToLower(name)
		case 2:
			name = strings.Replace(strings.Replace(name, "s", "\u017f", 1), "k", "\u212a", 1)
		case 3:
			name = strings.Replace(name, "e", `\u0065`, 1)
		case 4, 5:
			name = w.pick("activeProcessId", "jobSubType", "scheduleName", "elapsedTime", "x", "", "jobid2", "JOB")
		}
		w.key(name)
		w.value(0)
	}
	w.raw("}")
}

// value writes a random value: mostly scalars of every kind and form, sometimes nested.
func (w *pageWriter) value(depth int) {
	switch w.rng.IntN(9) {
	case 0:
		w.raw(w.pick(`0`, `-12`, `12.9`, `1e3`, `-1.5E-2`, `9223372036854775807`, `99999999999999999999`, `1e400`, `0.5`))
	case 1:
		w.raw(w.pick(`"12"`, `" 99 "`, `"1e3"`, `"abc"`, `""`, `"NaN"`, `"Infinity"`, `"-7.5"`))
	case 2:
		w.raw(w.pick(`"2026-01-02T03:04:05Z"`, `"2026-01-02T03:04:05.123Z"`, `"2026-01-02T05:04:05+02:00"`,
			`"2026-01-02 03:04:05"`, `"2026-02-30T03:04:05Z"`, `"yesterday"`, `"2026-01-02T03:04:05"`))
	case 3:
		w.raw(w.pick(`"BACKUP"`, `"DONE"`, `"ACTIVE"`, `"VMWARE"`, `"FULL"`, `"NEW_KIND"`, `"b\u00e4ckup"`, `"DO\u004eE"`))
	case 4:
		w.raw(w.pick(`"policy-1"`, `"client.example.com"`, `"tab\there"`, "\"bad\xff\xfeutf8\"", `"\ud83d\ude00"`, `"\ud800"`, `"quote\"d"`))
	case 5:
		w.raw(w.pick(`null`, `true`, `false`))
	case 6:
		if depth < 3 {
			w.raw("[")
			for i := range w.rng.IntN(3) {
				if i > 0 {
					w.raw(",")
				}
				w.value(depth + 1)
			}
			w.raw("]")
			return
		}
		w.raw(`[]`)
	case 7:
		if depth < 3 {
			w.raw("{")
			for i := range w.rng.IntN(3) {
				if i > 0 {
					w.raw(",")
				}
				w.key(w.pick("a", "jobId", "b"))
				w.value(depth + 1)
			}
			w.raw("}")
			return
		}
		w.raw(`{}`)
	default:
		w.raw(fmt.Sprintf("%d", w.rng.IntN(1<<20)))
	}
}

func (w *pageWriter) meta() {
	switch w.rng.IntN(6) {
	case 0:
		w.raw(w.pick(`null`, `"x"`, `[1]`, `{}`))
	default:
		w.raw(`{`)
		w.key(w.pick("pagination", "pagination", "Pagination", "other"))
		w.raw(`{"limit":100,`)
		w.key(w.pick("next", "next", "NEXT", "prev"))
		w.raw(w.pick(`"abc"`, `12345`, `null`, `{"a":1}`, `""`, `"c\u00e9"`))
		w.raw(`}}`)
	}
}

// FuzzJobsDecodersAgree holds jobsDecoder to the encoding/json walker it replaced on any input.
func FuzzJobsDecodersAgree(f *testing.F) {
	if b, err := os.ReadFile("testdata/admin_jobs_example.json"); err == nil {
		f.Add(b)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		f.Add(randomPage(rng))
	}
	f.Add([]byte(`{"data":[{"id":"1","id":null,"id":"2","attributes":{"jobId":1},"attributes":null,"attributes":{"status":3}}]}`))
	f.Add([]byte(`{"data":{"ID":1,"id":null,"attributes":null,"attributes":{"JOBID":3}}}`))
	f.Add([]byte(`{"data":1e400}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecodersAgree(t, b)
	})
}

// veritasJobsPage is a page of 100 jobs shaped like the /admin/jobs example of Veritas's
// admin.yaml (its ~70 attributes, links and meta per job, compact as NetBackup sends it), with
// the empty strings of the example filled in and the values varied per job: about 2 KB a job.
func veritasJobsPage(tb testing.TB) []byte {
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	b, err := os.ReadFile("testdata/admin_jobs_example.json")
	if err == nil {
		err = json.Unmarshal(b, &doc)
	}
	if err != nil || len(doc.Data) == 0 {
		tb.Fatalf("reading the Veritas example: %v", err)
	}
	var page bytes.Buffer
	page.WriteString(`{"links":{"self":{"href":"https://nbu.example.com:1556/netbackup/admin/jobs?page%5Blimit%5D=100"},"next":{"href":"https://nbu.example.com:1556/netbackup/admin/jobs?page%5Bafter%5D=100100"}},"data":[`)
	for i := range 100 {
		job := doc.Data[0]
		attrs := job["attributes"].(map[string]any)
		id := 100000 + i
		for k, v := range attrs {
			if v == "" {
				attrs[k] = fmt.Sprintf("%s-%02d", strings.ToLower(k[:min(len(k), 8)]), i%23)
			}
		}
		attrs["jobId"], attrs["parentJobId"], attrs["jobType"], attrs["state"] = id, id-i%3, "BACKUP", "DONE"
		attrs["policyType"], attrs["scheduleType"], attrs["status"] = "VMWARE", "FULL_BACKUP", i%5
		attrs["policyName"], attrs["clientName"] = fmt.Sprintf("vmware-prod-%d", i%17), fmt.Sprintf("client-%03d.example.com", i%37)
		attrs["kilobytesTransferred"], attrs["numberOfFiles"], attrs["dedupRatio"] = 1048576*(i+1), 1000+i, 87.5
		attrs["startTime"] = fmt.Sprintf("2026-01-01T01:%02d:00.000Z", i%60)
		attrs["endTime"] = fmt.Sprintf("2026-01-01T02:%02d:30.000Z", i%60)
		attrs["lastUpdateTime"] = fmt.Sprintf("2026-01-01T02:%02d:30.512Z", i%60)
		job["id"] = id
		job["links"] = map[string]any{
			"self":       map[string]any{"href": fmt.Sprintf("/admin/jobs/%d", id)},
			"file-lists": map[string]any{"href": fmt.Sprintf("https://nbu.example.com:1556/netbackup/admin/jobs/%d/file-lists", id)},
			"try-logs":   map[string]any{"href": fmt.Sprintf("https://nbu.example.com:1556/netbackup/admin/jobs/%d/try-logs", id)},
		}
		job["meta"] = map[string]any{"page": map[string]any{"cursor": fmt.Sprint(id)}}
		rec, err := json.Marshal(job)
		if err != nil {
			tb.Fatal(err)
		}
		if i > 0 {
			page.WriteByte(',')
		}
		page.Write(rec)
	}
	page.WriteString(`],"meta":{"pagination":{"limit":100,"next":"100100","prev":"99999"}}}`)
	return page.Bytes()
}

type decodeFunc func(io.Reader, func(*Job) error) (string, error)

// BenchmarkJobsDecoders decodes the same 100-job page with encoding/json (walkPage into jobAttrs)
// and with jobsDecoder (jsontext), one decoder for all pages as in a walk; compare them with
// benchstat -col /decoder.
func BenchmarkJobsDecoders(b *testing.B) {
	pages := map[string][]byte{"veritas": veritasJobsPage(b), "compact": benchJobsPage()}
	decoders := []struct {
		name string
		make func() decodeFunc
	}{
		{"std", func() decodeFunc {
			return func(r io.Reader, fn func(*Job) error) (string, error) {
				return decodeJobsPageStd(r, fn, func(int, string) {})
			}
		}},
		{"jobs", func() decodeFunc {
			var fn func(*Job) error
			d := newJobsDecoder(func(j *Job) error { return fn(j) }, func(int, string) {})
			return func(r io.Reader, f func(*Job) error) (string, error) {
				fn = f
				err := d.decodePage(r)
				return string(d.page.next), err
			}
		}},
	}
	for _, name := range []string{"veritas", "compact"} {
		page := pages[name]
		for _, dec := range decoders {
			b.Run("page="+name+"/decoder="+dec.name, func(b *testing.B) {
				decode := dec.make()
				checkBenchPage(b, page, decode)
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				r := bytes.NewReader(page)
				cpu := processCPU()
				for b.Loop() {
					r.Reset(page)
					if _, err := decode(r, func(*Job) error { return nil }); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time, GC included: on a shared machine wall time mostly measures the others.
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(len(page))/100, "bytes/job")
			})
		}
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// checkBenchPage makes sure the page decodes whole before it is timed.
func checkBenchPage(b *testing.B, page []byte, decode decodeFunc) {
	n := 0
	next, err := decode(bytes.NewReader(page), func(j *Job) error {
		if j.JobID == 0 || j.StartTime.IsZero() || j.DedupRatio != 87.5 || j.ClientName == "" {
			return fmt.Errorf("bad job %+v", *j)
		}
		n++
		return nil
	})
	if err != nil || n != 100 || next == "" {
		b.Fatalf("n = %d next = %q err = %v", n, next, err)
	}
}

func TestInternerIsBounded(t *testing.T) {
	in := interner{m: map[string]string{}}
	a := in.get([]byte("client-1"))
	if b := in.get([]byte("client-1")); unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the same name came back as two strings")
	}
	long := bytes.Repeat([]byte("x"), 1000)
	for i := range 2 * maxInterned {
		name := fmt.Appendf(nil, "%d-%s", i, long[:i%1000])
		if got := in.get(name); got != string(name) {
			t.Fatalf("get(%q) = %q", name, got)
		}
	}
	if len(in.m) > maxInterned || in.bytes > maxInternedBytes {
		t.Errorf("interner holds %d values, %d bytes; want at most %d, %d", len(in.m), in.bytes, maxInterned, maxInternedBytes)
	}
}

// TestJobsDecoderAllocations: a page costs one allocation per job (its id), whatever the number of
// attributes; names repeat and are interned; jsontext's buffer is the decoder's, reused page after
// page.
func TestJobsDecoderAllocations(t *testing.T) {
	page := veritasJobsPage(t)
	d := newJobsDecoder(func(*Job) error { return nil }, func(int, string) {})
	r := bytes.NewReader(page)
	decode := func() {
		r.Reset(page)
		if err := d.decodePage(r); err != nil {
			t.Fatal(err)
		}
	}
	decode() // the first page fills the interner
	if n := testing.AllocsPerRun(10, decode); n > 100+2 {
		t.Errorf("%.0f allocations for a page of 100 jobs, want at most 102", n)
	}
}

// TestJobFieldMatchesEncodingJSON: for names and near-names of the attributes, jobField picks the
// field encoding/json decodes the member into (or none), case folding and escapes included.
func TestJobFieldMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	keys := []string{"", "x", "jobid2", "JOB", "job\\u0049d", "\\u006aobId", "jobıd", "ſtatus", "\u212Ailobytestransferred",
		"\u212Ailobytes\u017Ftransferred", "state\\u0000", "st\xffate", "STATE", "sTaTe"}
	for _, n := range attrNames {
		for range 6 {
			b := []byte(n)
			for i := range b {
				if rng.IntN(2) == 0 {
					b[i] ^= 0x20
				}
			}
			keys = append(keys, string(b))
		}
		keys = append(keys, strings.Replace(n, "s", "ſ", -1), strings.Replace(n, "k", "\u212A", -1), n[:len(n)-1], n+"s")
	}
	hits := 0
	for _, k := range keys {
		raw := []byte(`"` + k + `"`)
		name, _ := jsontext.AppendUnquote(nil, raw)
		want := fieldNone
		// One value sets the numbers and strings, the other the times.
		for _, v := range []string{`"7"`, `"2026-01-02T03:04:05Z"`} {
			var a jobAttrs
			if err := json.Unmarshal([]byte(`{`+string(raw)+`:`+v+`}`), &a); err != nil {
				t.Fatalf("%q: %v", k, err)
			}
			if a == (jobAttrs{}) {
				continue
			}
			for f := range jobFields {
				d := newJobsDecoder(nil, nil)
				d.dec.Reset(strings.NewReader(v), pageDecodeOptions...)
				if err := d.attribute(f); err != nil {
					t.Fatal(err)
				}
				if d.attrs == a {
					want = f
				}
			}
		}
		if got := jobField(name); got != want {
			t.Errorf("jobField(%q) = %d, encoding/json decodes into field %d", k, got, want)
		}
		if want != fieldNone {
			hits++
		}
	}
	if hits < 8*len(attrNames) {
		t.Errorf("only %d of %d keys name a field: the test has lost its teeth", hits, len(keys))
	}
}
