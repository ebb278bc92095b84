package prober

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

const securityCollectorName = "security"

var (
	descSecurityRiskScore = newDesc("nbu_security_risk_score",
		"NetBackup's security configuration risk score of the primary's domain (platformRiskScore, 0 best to 100 worst), API 12.0 and later.")
	descSecuritySettingRisk = newDesc("nbu_security_setting_risk_score",
		"Risk score (0..100) of one security setting's current configuration (currentConfigRiskScore).", "setting")
	descSecuritySettingWeight = newDesc("nbu_security_setting_weight",
		"Weight (0..100) of the setting in the platform risk score (configWeightage).", "setting")
	descSecuritySettingBaseline = newDesc("nbu_security_setting_baseline_risk_score",
		"Risk score (0..100) of the setting's security baseline (baseConfigRiskScore), where a baseline is set.", "setting")
	descSecuritySettingValue = newDesc("nbu_security_setting_value",
		"The setting's current state where it is a number or a boolean (1 true, 0 false): a percentage of hosts, a level, on or off.", "setting")
	descSecuritySettingState = newDesc("nbu_security_setting_state",
		"The setting's current state where it is text (constant 1), e.g. dteGlobalMode PREFERRED_OFF.", "setting", "state")
	descSecuritySettingsDropped = newDesc("nbu_security_settings_dropped",
		"Settings of /security/status left out past 64.")
	descSecurityAnomalies = newDesc("nbu_security_anomalies",
		"Anomalies NetBackup detected in backups created within security.anomalies_lookback, by anomalyStatus (NOT_REVIEWED, ANOMALY, REPORTED_FALSE_POSITIVE, IGNORED) and anomalySeverity (HIGH, MEDIUM, LOW).", "status", "severity")
	descSecurityAnomaliesTruncated = newDesc("nbu_security_anomalies_truncated",
		"1 when the anomalies of the window are more than security.max_anomalies: the counts stop there.")
	descSecurityAPIKeyExpiry = newDesc("nbu_security_api_key_expiry_timestamp_seconds",
		"When the API key the module authenticates with expires (expiryDateTime of the key whose tag is the module's api_key_tag).")
)

// securityCollector reports the primary's security posture: /security/status (API 12.0 and
// later), the anomalies of security.anomalies_lookback (/security/anomalies) and, for a module
// that names its key's tag (api_key_tag), that key's expiry (/security/api-keys); cached
// security.cache_ttl. An endpoint the release lacks or the role may not read is skipped
// (nbu_collector_endpoint_skipped) and the others reported.
type securityCollector struct{}

func (securityCollector) Name() string          { return securityCollectorName }
func (securityCollector) MinAPIVersion() string { return "" }
func (securityCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.Security.CacheTTL)
}
func (securityCollector) NewState() CollectorState { return securityState{} }

// securityState keeps nothing: the seam caches the series.
type securityState struct{}

func (securityState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	parts := []endpointPart{
		{"/security/status", apiversion.V12, collectSecurityStatus},
		{"/security/anomalies", "", collectAnomalies},
	}
	if r.Module.APIKeyTag != "" {
		parts = append(parts, endpointPart{"/security/api-keys", "", collectAPIKeyExpiry})
	}
	return collectParts(ctx, r, out, securityCollectorName, parts)
}

func collectSecurityStatus(ctx context.Context, r *Run, out *metricSet) error {
	st, err := r.Client.SecurityStatus(ctx)
	if err != nil {
		return err
	}
	gaugeKnown(out, descSecurityRiskScore, st.RiskScore, 1)
	for _, set := range st.Settings {
		gaugeKnown(out, descSecuritySettingRisk, set.RiskScore, 1, set.Name)
		gaugeKnown(out, descSecuritySettingWeight, set.Weight, 1, set.Name)
		gaugeKnown(out, descSecuritySettingBaseline, set.BaselineRiskScore, 1, set.Name)
		gaugeKnown(out, descSecuritySettingValue, set.Value, 1, set.Name)
		if set.State != "" {
			out.gauge(descSecuritySettingState, 1, set.Name, set.State)
		}
	}
	out.gauge(descSecuritySettingsDropped, float64(st.SettingsDropped))
	return nil
}

// errAnomaliesCapped ends the anomaly walk at security.max_anomalies.
var errAnomaliesCapped = errors.New("security.max_anomalies reached")

// collectAnomalies counts the anomalies created within security.anomalies_lookback by status and
// severity; only the counts and the ids seen in this walk (for the repeats offset paging brings
// when anomalies arrive meanwhile) are held, both bounded by security.max_anomalies.
func collectAnomalies(ctx context.Context, r *Run, out *metricSet) error {
	cfg := r.Module.Security
	since := r.Now().Add(-time.Duration(cfg.AnomaliesLookback)).UTC()
	counts := map[[2]string]int{}
	seen := map[string]struct{}{}
	n := 0
	err := r.Client.Anomalies(ctx, "createdDateTime ge "+since.Format(filterTimeLayout), func(a *nbu.Anomaly) error {
		if a.ID != "" {
			if _, dup := seen[a.ID]; dup {
				return nil
			}
			seen[a.ID] = struct{}{}
		}
		if n >= cfg.MaxAnomalies {
			return errAnomaliesCapped
		}
		n++
		counts[[2]string{a.Status, a.Severity}]++
		return nil
	})
	capped := errors.Is(err, errAnomaliesCapped)
	if err != nil && !capped {
		return err
	}
	for k, c := range counts {
		out.gauge(descSecurityAnomalies, float64(c), k[0], k[1])
	}
	out.gauge(descSecurityAnomaliesTruncated, boolGauge(capped))
	return nil
}

// collectAPIKeyExpiry reports when the module's own API key expires. A tag no key has is an
// error (the tag is mistyped in modules.yml), not a skip.
func collectAPIKeyExpiry(ctx context.Context, r *Run, out *metricSet) error {
	key, found, err := r.Client.APIKeyByTag(ctx, r.Module.APIKeyTag)
	switch {
	case err != nil:
		return err
	case !found:
		return fmt.Errorf("security: module %s: no API key has the tag of api_key_tag %q", r.Module.Name, r.Module.APIKeyTag)
	case !key.Expiry.IsZero():
		out.gauge(descSecurityAPIKeyExpiry, unixSeconds(key.Expiry))
	}
	return nil
}
