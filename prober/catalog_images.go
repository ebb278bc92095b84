package prober

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var descCatalogImages = newDesc("nbu_catalog_images_count",
	"Catalog images backed up within catalog.images_lookback, by malware and anomaly status (malwareStatus from API 13.0, malwareScanResult before; anomaly_status is empty on API 10.0, whose spec has no anomalyStatus).", "malware_status", "anomaly_status")

// The status values the specs list for the image filters.
var (
	malwareStatuses = []string{"NOT_SCANNED", "INFECTION_DETECTED_BY_MALWARE_SCAN", "CLEAN", "NOT_SUPPORTED",
		"UNKNOWN_TYPE", "INFECTION_DETECTED_BY_FILE_HASH_SEARCH"} // malwareStatus, API 13.0 on
	malwareScanResults = []string{"NOT_SCANNED", "IMPACTED", "CLEAN", "NOT_SUPPORTED"} // malwareScanResult, API 10.0 on
	anomalyStatuses    = []string{"NOT_PROCESSED", "ANOMALOUS", "NOT_ANOMALOUS", "NOT_REVIEWED", "FALSE_POSITIVE", "IGNORED"}
)

// imageCounts keeps the last image counts for catalog.images_cache_ttl. Each count is one
// one-record request whose meta gives the total, so no image is read: one request per malware
// status, then, for the statuses that have images, one per anomaly status.
type imageCounts struct {
	mu        sync.Mutex
	counts    map[[2]string]int64
	fetchedAt time.Time
}

func (ic *imageCounts) collect(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	ic.mu.Lock()
	fresh := !ic.fetchedAt.IsZero() && now.Sub(ic.fetchedAt) < time.Duration(r.Module.Catalog.ImagesCacheTTL)
	ic.mu.Unlock()
	var err error
	if !fresh {
		var counts map[[2]string]int64
		counts, err = countImages(ctx, r, now)
		if err == nil {
			ic.mu.Lock()
			ic.counts, ic.fetchedAt = counts, now
			ic.mu.Unlock()
		}
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	for k, n := range ic.counts {
		out.gauge(descCatalogImages, float64(n), k[0], k[1])
	}
	if !ic.fetchedAt.IsZero() {
		out.gauge(descLastScrape, float64(ic.fetchedAt.UnixNano())/1e9, "catalog_images")
	}
	return err
}

func countImages(ctx context.Context, r *Run, now time.Time) (map[[2]string]int64, error) {
	window := fmt.Sprintf("backupTime ge %s and backupTime le %s",
		now.Add(-time.Duration(r.Module.Catalog.ImagesLookback)).UTC().Format(filterTimeLayout), now.UTC().Format(filterTimeLayout))
	field, values := "malwareStatus", malwareStatuses
	if !versionAtLeast(r.Version, apiversion.V13) {
		field, values = "malwareScanResult", malwareScanResults
	}
	anomaly := versionAtLeast(r.Version, apiversion.V12)
	counts := map[[2]string]int64{}
	uncounted := 0 // answers with images but no count: those series are left out
	defer func() {
		if uncounted > 0 {
			level.Debug(r.Logger).Log("msg", "catalog image counts left out: the answer had images but no meta.pagination.count", "counts", uncounted)
		}
	}()
	for _, mv := range values {
		byMalware := window + " and " + field + " eq " + nbu.ODataQuote(mv)
		n, err := r.Client.CatalogImageCount(ctx, byMalware)
		switch {
		case errors.Is(err, nbu.ErrNoCount):
			// Images there are, but how many is not said: the breakdown is still asked.
			uncounted++
		case err != nil:
			return nil, fmt.Errorf("catalog images with %s %s: %w", field, mv, err)
		case n == 0:
			continue
		}
		if !anomaly {
			if err == nil {
				counts[[2]string{mv, ""}] = n
			}
			continue
		}
		for _, av := range anomalyStatuses {
			m, err := r.Client.CatalogImageCount(ctx, byMalware+" and anomalyStatus eq "+nbu.ODataQuote(av))
			switch {
			case errors.Is(err, nbu.ErrNoCount):
				uncounted++
			case err != nil:
				return nil, fmt.Errorf("catalog images with %s %s and anomalyStatus %s: %w", field, mv, av, err)
			case m > 0:
				counts[[2]string{mv, av}] = m
			}
		}
	}
	level.Debug(r.Logger).Log("msg", "catalog images counted", "series", len(counts))
	return counts, nil
}
