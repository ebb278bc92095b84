package main

import (
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/alecthomas/units"

	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// answerFlags bound what the probes' answers hold while their clients read them.
type answerFlags struct {
	maxBytes *units.Base2Bytes
	idle     *time.Duration
}

func addAnswerFlags(app *kingpin.Application) answerFlags {
	return answerFlags{
		maxBytes: app.Flag("probe.max-answers-bytes", "What the answers of the probes in flight may weigh together (their series and 1MiB each for encoding); past it a probe waits, within its deadline, then is answered 503.").
			Default(units.Base2Bytes(prober.DefaultMaxAnswersBytes).String()).Bytes(),
		idle: app.Flag("web.answer-idle-timeout", "A client that reads nothing of a probe's answer for this long is cut off.").
			Default(prober.DefaultAnswerIdleTimeout.String()).Duration(),
	}
}
