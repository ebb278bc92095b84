package main

import (
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/alecthomas/units"
	toolkitweb "github.com/prometheus/exporter-toolkit/web"

	"github.com/netbackup-exporter/netbackup_exporter/internal/web"
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

// routeFlags put the exporter behind a reverse proxy, as blackbox_exporter's do.
type routeFlags struct {
	externalURL, routePrefix *string
}

func addRouteFlags(app *kingpin.Application) routeFlags {
	return routeFlags{
		externalURL: app.Flag("web.external-url", "The URL under which the exporter is reached (behind a reverse proxy); the pages' links start with its path. Default: from the host name and the listen address.").PlaceHolder("<url>").String(),
		routePrefix: app.Flag("web.route-prefix", "Prefix of every route. Defaults to the path of --web.external-url.").PlaceHolder("<path>").String(),
	}
}

// paths resolves the flags; an external URL left out is inferred from the first listen address
// (only its path is used: for the links, and as the default route prefix).
func (f routeFlags) paths(wf *toolkitweb.FlagConfig) (web.Paths, error) {
	listen := defaultListenAddress
	if wf != nil && wf.WebListenAddresses != nil && len(*wf.WebListenAddresses) > 0 {
		listen = (*wf.WebListenAddresses)[0]
	}
	return web.NewPaths(*f.externalURL, *f.routePrefix, listen)
}
