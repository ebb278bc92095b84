package nbu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	securityStatusEndpoint = "/security/status"
	anomaliesEndpoint      = "/security/anomalies"
	apiKeysEndpoint        = "/security/api-keys"
	// The spec's page[limit] maximum of both lists.
	maxAnomaliesPageSize = 100
	maxAPIKeysPageSize   = 100
	// MaxSecuritySettings bounds the settings kept from one /security/status answer (11.2 scores
	// 17); the others are counted in SecurityStatus.SettingsDropped.
	MaxSecuritySettings = 64
	// maxSettingStateBytes bounds a setting's state kept as text (an enum such as PREFERRED_OFF).
	maxSettingStateBytes = 64
)

// SecurityStatus is GET /security/status (security.yaml, 10.5 and later): the platform's risk
// score and the settings it is computed from.
type SecurityStatus struct {
	RiskScore Known[float64] // platformRiskScore, 0..100
	// Settings are securitySettingsDetail's members, by name.
	Settings        []SecuritySetting
	SettingsDropped int
}

// SecuritySetting is one member of securitySettingsDetail.
type SecuritySetting struct {
	Name string
	// RiskScore is currentConfigRiskScore, Weight configWeightage (its share of the platform score,
	// 0..100), BaselineRiskScore baseConfigRiskScore (only when a baseline is set: absent, or
	// isBaselineSet and isBaseTemplateAvailable not false).
	RiskScore, Weight, BaselineRiskScore Known[float64]
	// Value is currentConfigState when it is a boolean (1 or 0) or a number; State when it is a
	// string of at most 64 bytes.
	Value Known[float64]
	State string
}

type securityStatusAttrs struct {
	PlatformRiskScore       sentNumber       `json:"platformRiskScore"`
	IsBaseTemplateAvailable optBool          `json:"isBaseTemplateAvailable"`
	SecuritySettingsDetail  securitySettings `json:"securitySettingsDetail"`
}

// SecurityStatus fetches GET /security/status.
func (c *Client) SecurityStatus(ctx context.Context) (SecurityStatus, error) {
	var (
		st SecurityStatus
		id lString
		a  securityStatusAttrs
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", securityStatusAttrs{} },
		emit: func() error {
			st = SecurityStatus{RiskScore: a.PlatformRiskScore.known(),
				Settings: a.SecuritySettingsDetail.list, SettingsDropped: a.SecuritySettingsDetail.dropped}
			if a.IsBaseTemplateAvailable.set && !a.IsBaseTemplateAvailable.v {
				for i := range st.Settings {
					st.Settings[i].BaselineRiskScore = Known[float64]{}
				}
			}
			return nil
		},
		skip: func(int, string) {},
	}
	err := c.call(ctx, securityStatusEndpoint, nil, func(r io.Reader) error { return walkPage(r, sink) })
	return st, err
}

// securitySettings is securitySettingsDetail: an object of settings, each an object. At most
// MaxSecuritySettings are kept (in name order); anything but an object is none.
type securitySettings struct {
	list    []SecuritySetting
	dropped int
}

type settingAttrs struct {
	CurrentConfigState     settingState `json:"currentConfigState"`
	ConfigWeightage        sentNumber   `json:"configWeightage"`
	CurrentConfigRiskScore sentNumber   `json:"currentConfigRiskScore"`
	BaseConfigRiskScore    sentNumber   `json:"baseConfigRiskScore"`
	IsBaselineSet          optBool      `json:"isBaselineSet"`
}

func (s *securitySettings) UnmarshalJSON(b []byte) error {
	*s = securitySettings{}
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil
		}
		name, _ := kt.(string)
		var a settingAttrs
		if err := decodeLenient(dec, &a); err != nil {
			return nil
		}
		set, ok := a.setting(name)
		if !ok || slices.ContainsFunc(s.list, func(x SecuritySetting) bool { return x.Name == name }) {
			continue
		}
		if len(s.list) >= MaxSecuritySettings {
			s.dropped++
			continue
		}
		s.list = append(s.list, set)
	}
	slices.SortFunc(s.list, func(x, y SecuritySetting) int { return strings.Compare(x.Name, y.Name) })
	return nil
}

// setting is the setting named name; ok false when it has a name but nothing that was scored.
func (a *settingAttrs) setting(name string) (SecuritySetting, bool) {
	set := SecuritySetting{Name: name, RiskScore: a.CurrentConfigRiskScore.known(), Weight: a.ConfigWeightage.known(),
		Value: Known[float64]{V: a.CurrentConfigState.num, OK: a.CurrentConfigState.isNum}, State: a.CurrentConfigState.str,
	}
	if !(a.IsBaselineSet.set && !a.IsBaselineSet.v) {
		set.BaselineRiskScore = a.BaseConfigRiskScore.known()
	}
	known := set.RiskScore.OK || set.Weight.OK || set.BaselineRiskScore.OK || set.Value.OK || set.State != ""
	return set, name != "" && known
}

// settingState is a setting's currentConfigState, whose kind depends on the setting: a boolean
// (mfaEnforced), an integer (certificateAutoDeployLevel), a number (hostPercentageWithDteEnabled)
// or a string (dteGlobalMode).
type settingState struct {
	num   float64
	isNum bool
	str   string
}

func (s *settingState) UnmarshalJSON(b []byte) error {
	*s = settingState{}
	switch {
	case len(b) == 0:
	case string(b) == "true", string(b) == "false":
		s.isNum = true
		if b[0] == 't' {
			s.num = 1
		}
	case b[0] == '"':
		str, ok := unquote(b)
		if x, err := strconv.ParseFloat(strings.TrimSpace(str), 64); ok && err == nil && x-x == 0 {
			s.num, s.isNum = x, true // a number sent as a string
		} else if ok && str != "" && len(str) <= maxSettingStateBytes {
			s.str = str
		}
	default:
		var o sentNumber
		_ = o.UnmarshalJSON(b)
		s.num, s.isNum = o.v, o.set
	}
	return nil
}

// Anomaly is one /security/anomalies record, reduced to what is counted.
type Anomaly struct {
	ID       string
	Status   string // anomalyStatus: ANOMALY, NOT_REVIEWED, REPORTED_FALSE_POSITIVE, IGNORED, or as sent
	Severity string // anomalySeverity: HIGH, MEDIUM, LOW, or as sent
	Created  time.Time
}

type anomalyAttrs struct {
	AnomalyStatus   lEnum `json:"anomalyStatus"`
	AnomalySeverity lEnum `json:"anomalySeverity"`
	CreatedDateTime lTime `json:"createdDateTime"`
}

// Anomalies walks every page of GET /security/anomalies (security.yaml, every release; offset
// paging, page[limit] up to 100) with filter (OData, unencoded; "" = none), calling fn for each
// anomaly; the *Anomaly is reused after fn returns. An error fn returns ends the walk and is
// returned as is.
func (c *Client) Anomalies(ctx context.Context, filter string, fn func(*Anomaly) error) error {
	if fn == nil {
		return errors.New("nbu: Anomalies called with a nil callback")
	}
	var (
		id lString
		a  anomalyAttrs
		an Anomaly
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", anomalyAttrs{} },
		emit: func() error {
			an = Anomaly{ID: string(id), Status: string(a.AnomalyStatus), Severity: string(a.AnomalySeverity),
				Created: time.Time(a.CreatedDateTime)}
			return fn(&an)
		},
	}
	extra := url.Values{"filter": {filter}}
	return unwrapCallback(c.offsetWalkQuery(ctx, anomaliesEndpoint, extra, maxAnomaliesPageSize, maxAnomaliesPageSize, sink))
}

// APIKey is one /security/api-keys record, reduced to what the exporter uses.
type APIKey struct {
	Tag    string    // data[].id
	Expiry time.Time // expiryDateTime; zero when absent or unparsable
}

type apiKeyAttrs struct {
	ExpiryDateTime lTime `json:"expiryDateTime"`
}

// errKeyFound ends the walk of APIKeyByTag once the key is found.
var errKeyFound = errors.New("found")

// APIKeyByTag finds the API key whose tag is tag: GET /security/api-keys with the filter
// apiKeyTag eq '<tag>' (security.yaml, every release; offset paged). The key is the record whose
// id is tag, or the only record of the answer when it has no id; found is false when there is
// none. The key's own tag needs no permission to be read (the spec: one can always view one's
// own API key).
func (c *Client) APIKeyByTag(ctx context.Context, tag string) (key APIKey, found bool, err error) {
	var (
		id                 lString
		a                  apiKeyAttrs
		records            int
		onlyExpiry         time.Time
		onlyHadID, matched bool
	)
	sink := &recordSink{id: &id, attrs: &a,
		reset: func() { id, a = "", apiKeyAttrs{} },
		emit: func() error {
			records++
			if string(id) == tag {
				key, matched = APIKey{Tag: tag, Expiry: time.Time(a.ExpiryDateTime)}, true
				return errKeyFound
			}
			onlyExpiry, onlyHadID = time.Time(a.ExpiryDateTime), id != ""
			return nil
		},
	}
	extra := url.Values{"filter": {"apiKeyTag eq " + ODataQuote(tag)}}
	err = unwrapCallback(c.offsetWalkQuery(ctx, apiKeysEndpoint, extra, maxAPIKeysPageSize, maxAPIKeysPageSize, sink))
	switch {
	case errors.Is(err, errKeyFound) || (err == nil && matched):
		return key, true, nil
	case err != nil:
		return APIKey{}, false, err
	case records == 1 && !onlyHadID:
		return APIKey{Tag: tag, Expiry: onlyExpiry}, true, nil
	}
	return APIKey{}, false, nil
}
