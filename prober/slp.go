package prober

import (
	"context"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descSLPIncomplete = newDesc("nbu_slp_incomplete_images",
		"Images whose storage lifecycle is not complete, by SLP and slpImageState.", "slp", "state")
	descSLPIncompleteBytes = newDesc("nbu_slp_incomplete_bytes",
		"Size of the incomplete images of the SLP: the sum over images of their largest copy's fragmentSize (only images that give one).", "slp")
	descSLPOldest = newDesc("nbu_slp_oldest_incomplete_image_age_seconds",
		"Age (now minus backup time) of the SLP's oldest incomplete image.", "slp")
)

// slpIncompleteStates are the slpImageState values of images still in their lifecycle. The filter
// has eq only, so each is one walk; COMPLETE, DELETED and NOT_MANAGED images are never read.
var slpIncompleteStates = []string{"NOT_STARTED", "IN_PROCESS", "NOT_STARTED|INACTIVE", "IN_PROCESS|INACTIVE"}

// slpCollector reports the SLP backlog from /catalog/slp-images (cursor paged), cached slp.cache_ttl.
type slpCollector struct{}

func (slpCollector) Name() string          { return "slp" }
func (slpCollector) MinAPIVersion() string { return "" }
func (slpCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.SLP.CacheTTL)
}
func (slpCollector) NewState() CollectorState { return slpState{} }

type slpState struct{}

type slpAgg struct {
	byState   map[string]int
	bytes     int64
	sized     bool
	oldest    time.Time
	hasOldest bool
}

func (slpState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	aggs := map[string]*slpAgg{}
	for _, state := range slpIncompleteStates {
		_, err := r.Client.SLPImages(ctx, "slpImageState eq "+nbu.ODataQuote(state), r.Module.SLP.PageSize, func(img *nbu.SLPImage) error {
			a := aggs[img.SLPName]
			if a == nil {
				a = &slpAgg{byState: map[string]int{}}
				aggs[img.SLPName] = a
			}
			// The state asked for, not the one sent: one image is counted once per walk.
			a.byState[state]++
			if img.SizeBytes.OK {
				a.bytes, a.sized = a.bytes+img.SizeBytes.V, true
			}
			if !img.BackupTime.IsZero() && (!a.hasOldest || img.BackupTime.Before(a.oldest)) {
				a.oldest, a.hasOldest = img.BackupTime, true
			}
			return nil
		})
		if err != nil {
			return skippedOr("slp images in state "+state, err)
		}
	}
	for slp, a := range aggs {
		for state, n := range a.byState {
			out.gauge(descSLPIncomplete, float64(n), slp, state)
		}
		if a.sized {
			out.gauge(descSLPIncompleteBytes, float64(a.bytes), slp)
		}
		if a.hasOldest {
			out.gauge(descSLPOldest, max(now.Sub(a.oldest).Seconds(), 0), slp)
		}
	}
	out.gauge(descLastScrape, float64(now.UnixNano())/1e9, "slp")
	return nil
}
