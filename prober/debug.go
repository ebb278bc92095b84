package prober

import (
	"bytes"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// debugOutput is the text debug=true returns: the probe's log lines at debug level, the metrics it
// would have returned, and the module as loaded (secrets print as <secret>).
func debugOutput(m *config.Module, logs string, reg prometheus.Gatherer) string {
	var buf bytes.Buffer
	buf.WriteString("Logs for the probe:\n")
	buf.WriteString(logs)
	buf.WriteString("\n\nMetrics that would have been returned:\n")
	if reg == nil {
		buf.WriteString("(no longer kept: the history keeps the metrics of its newest probes only)\n")
	}
	var mfs []*dto.MetricFamily
	var err error
	if reg != nil {
		mfs, err = reg.Gather()
	}
	if err != nil {
		fmt.Fprintf(&buf, "#!! error gathering metrics: %v\n", err)
	}
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			fmt.Fprintf(&buf, "#!! error formatting metric family %s: %v\n", mf.GetName(), err)
		}
	}
	buf.WriteString("\n\nModule configuration:\n")
	if m != nil {
		c, err := yaml.Marshal(m)
		if err != nil {
			fmt.Fprintf(&buf, "#!! error marshalling module: %v\n", err)
		}
		buf.Write(c)
	}
	return buf.String()
}
