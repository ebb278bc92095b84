package prober

import (
	"strconv"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A field a primary leaves out is not a zero: its series is left out, so that a dashboard shows
// a gap and an alert's ratio is not computed on a 0 that NetBackup never sent.

// gaugeKnown writes d with v times scale when the primary sent v, and nothing when it did not.
func gaugeKnown[T int | int64 | float64](out *metricSet, d *metricDesc, v nbu.Known[T], scale float64, labels ...string) {
	if v.OK {
		out.gauge(d, float64(v.V)*scale, labels...)
	}
}

// boolLabel is a flag as a label value: "true" or "false", or "" when the primary left it out.
func boolLabel(v nbu.Known[bool]) string {
	if !v.OK {
		return ""
	}
	return strconv.FormatBool(v.V)
}
