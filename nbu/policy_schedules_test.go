package nbu

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// A policy's schedules are read leniently: numbers as strings, an absent or null frequency (not
// 0), an element that is not an object, a field of the wrong kind; the list is bounded.
func TestPolicyDetailSchedules(t *testing.T) {
	body := func(schedules string) string {
		return `{"data":{"type":"policy","id":"p","attributes":{"policyStandard":{"policyName":"p","policyType":"Standard",
			"policyAttributes":{"active":true},"clients":[{"hostName":"c1"}],"schedules":` + schedules + `}}}}`
	}
	for _, tc := range []struct {
		name, schedules string
		want            []Schedule
	}{
		{"spec shapes", `[{"scheduleName":"full","scheduleType":"Frequency","backupType":"Full Backup","frequencySeconds":604800},
			{"scheduleName":"cal","scheduleType":"Calendar","backupType":"Full Backup","frequencySeconds":0}]`,
			[]Schedule{{Name: "full", Type: "Frequency", BackupType: "Full Backup", FrequencySeconds: Some[int64](604800)},
				{Name: "cal", Type: "Calendar", BackupType: "Full Backup", FrequencySeconds: Some[int64](0)}}},
		{"loose kinds", `[{"scheduleName":7,"scheduleType":"Frequency","frequencySeconds":"86400"},
			{"scheduleName":"f","frequencySeconds":86400.0},{"scheduleName":"absent"},{"scheduleName":"null","frequencySeconds":null},
			{"scheduleName":"odd","frequencySeconds":{"a":1}}]`,
			[]Schedule{{Name: "7", Type: "Frequency", FrequencySeconds: Some[int64](86400)},
				{Name: "f", FrequencySeconds: Some[int64](86400)}, {Name: "absent"}, {Name: "null"}, {Name: "odd"}}},
		{"elements that are not objects", `["x", 3, null, {"scheduleName":"ok","frequencySeconds":3600}]`,
			[]Schedule{{Name: "ok", FrequencySeconds: Some[int64](3600)}}},
		{"not a list", `{"scheduleName":"x"}`, nil},
		{"absent", `null`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, body(tc.schedules))
			}), nil)
			got, err := c.PolicyDetail(testCtx(t), "p")
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Schedules) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got.Schedules, tc.want) {
				t.Errorf("schedules = %+v, want %+v", got.Schedules, tc.want)
			}
			if !reflect.DeepEqual(got.Clients, []string{"c1"}) || !got.Active.V {
				t.Errorf("the schedules cost the rest of the policy: %+v", got)
			}
		})
	}
}

// A policy listing more schedules than NetBackup allows keeps the first maxPolicySchedules.
func TestPolicyDetailSchedulesBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"data":{"id":"p","attributes":{"policyStandard":{"policyName":"p","schedules":[`)
	for i := range maxPolicySchedules + 500 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"scheduleName":"s%d","frequencySeconds":%d}`, i, i+1)
	}
	b.WriteString(`]}}}}`)
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, b.String())
	}), nil)
	got, err := c.PolicyDetail(testCtx(t), "p")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Schedules) != maxPolicySchedules || got.Schedules[0].FrequencySeconds != Some[int64](1) {
		t.Errorf("%d schedules kept (first %+v), want the first %d", len(got.Schedules), got.Schedules[0], maxPolicySchedules)
	}
}
