package prober

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// debugOutput is the text debug=true returns: the probe's log lines at debug level, the metrics it
// would have returned, and the module as loaded (secrets print as <secret>). The metrics section
// is valid text exposition whatever the gather says: its errors go in comment lines.
func debugOutput(m *config.Module, logs string, reg prometheus.Gatherer) string {
	var buf bytes.Buffer
	buf.WriteString("Logs for the probe:\n")
	buf.WriteString(logs)
	buf.WriteString("\n\nMetrics that would have been returned:\n")
	if reg == nil {
		buf.WriteString("# (no longer kept: the history keeps the metrics of its newest probes only)\n")
	} else {
		writeGathered(&buf, reg)
	}
	buf.WriteString("\n\nModule configuration:\n")
	if m != nil {
		c, err := yaml.Marshal(m)
		if err != nil {
			fmt.Fprintf(&buf, "# error marshalling module: %v\n", err)
		}
		buf.Write(c)
	}
	return buf.String()
}

// writeGathered writes what reg gathers in the text format, its errors as comments.
func writeGathered(buf *bytes.Buffer, reg prometheus.Gatherer) {
	mfs, err := reg.Gather()
	if err != nil {
		writeComment(buf, "error gathering metrics: "+err.Error())
	}
	var fam bytes.Buffer // a family is written whole or not at all
	for _, mf := range mfs {
		fam.Reset()
		if _, err := expfmt.MetricFamilyToText(&fam, mf); err != nil {
			writeComment(buf, fmt.Sprintf("error formatting metric family %s: %v", mf.GetName(), err))
			continue
		}
		buf.Write(fam.Bytes())
	}
}

// writeComment writes text as comment lines, one per line of it. Each starts with "# ! ", so
// that none reads as a HELP or TYPE line.
func writeComment(buf *bytes.Buffer, text string) {
	for _, line := range strings.Split(text, "\n") {
		buf.WriteString("# ! ")
		buf.WriteString(strings.ToValidUTF8(line, "\uFFFD"))
		buf.WriteByte('\n')
	}
}
