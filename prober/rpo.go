package prober

import (
	"maps"
	"slices"
	"strings"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var descClientFrequency = newDesc("nbu_client_backup_frequency_seconds",
	"The shortest frequencySeconds among the frequency-based backup schedules of the active policies that list the client (policies collector's details): how often NetBackup is to back it up. No series for a client without such a schedule.",
	"client")

// The client's promised frequency (its RPO) comes from the policy details the policies collector
// reads anyway. The rules:
//   - only active policies count;
//   - only frequency-based schedules with a frequencySeconds above 0: a calendar-based schedule
//     promises dates, not an interval, and sets none;
//   - only schedules the scheduler starts: user-directed ones (User Backup, User Archive,
//     Application Backup, which only open a window for backups the client starts) and those that
//     back up no client (vault, and the package deployment ones) set none;
//   - a client in several policies, or with several schedules, gets the shortest frequency: the
//     most demanding promise is the one to keep.

// notScheduledBackup lists the backupType values whose schedules set no frequency, upper case
// without spaces or underscores (the spec spells them "User Backup", jobs "USER_BACKUP").
var notScheduledBackup = map[string]bool{
	"USERBACKUP": true, "USERARCHIVE": true, "APPLICATIONBACKUP": true,
	"AUTOMATICVAULT": true, "VAULTCATALOGBACKUP": true,
	"INSTALLPACKAGE": true, "INSTALL": true, "PRECHECK": true, "STAGEPACKAGE": true, "STAGE": true,
}

var backupTypeSpelling = strings.NewReplacer(" ", "", "_", "", "-", "")

// backupFrequency is the shortest frequency, in seconds, among the schedules of a policy detail
// that set one; 0 when none does.
func backupFrequency(d nbu.PolicyDetail) int64 {
	var shortest int64
	for _, sc := range d.Schedules {
		secs := sc.FrequencySeconds.V
		if !sc.FrequencySeconds.OK || secs <= 0 || strings.EqualFold(strings.TrimSpace(sc.Type), "Calendar") {
			continue
		}
		if notScheduledBackup[backupTypeSpelling.Replace(strings.ToUpper(sc.BackupType))] {
			continue
		}
		if shortest == 0 || secs < shortest {
			shortest = secs
		}
	}
	return shortest
}

// clientFreqs is every client's promised frequency, as of the policy details read: built when a
// detail changed or a policy went, shared read-only until then.
type clientFreqs struct {
	names []string         // sorted
	secs  map[string]int64 // client -> seconds
}

// noteSchedules keeps what a policy detail says of its clients' frequency; the caller holds mu.
func (s *policiesState) noteSchedules(name string, d nbu.PolicyDetail) {
	if s.freqOf == nil {
		s.freqOf = map[string]int64{}
	}
	f := backupFrequency(d)
	if d.Active.OK && !d.Active.V { // an inactive policy promises nothing; one that does not say is taken at its schedules
		f = 0
	}
	s.freqOf[name], s.freqs = f, nil
}

// forgetSchedules drops a policy no longer listed; the caller holds mu.
func (s *policiesState) forgetSchedules(name string) {
	delete(s.freqOf, name)
	s.freqs = nil
}

// clientFrequencies returns every client's promised frequency.
func (s *policiesState) clientFrequencies() *clientFreqs {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.freqs != nil {
		return s.freqs
	}
	f := &clientFreqs{secs: map[string]int64{}}
	for policy, secs := range s.freqOf {
		if secs <= 0 {
			continue
		}
		for _, c := range s.clients[policy] {
			if cur, ok := f.secs[c]; !ok || secs < cur {
				f.secs[c] = secs
			}
		}
	}
	f.names = slices.Sorted(maps.Keys(f.secs))
	s.freqs = f
	return f
}

// clientFrequenciesOf is the policies collector's client frequencies, nil when the module does
// not enable it.
func clientFrequenciesOf(r *Run) *clientFreqs {
	if ps, ok := r.Peer(policiesCollectorName).(*policiesState); ok {
		return ps.clientFrequencies()
	}
	return nil
}

// exportFrequencies writes the promised frequency of every client the collector tracks; the caller
// holds mu.
func (s *clientsState) exportFrequencies(out *metricSet, f *clientFreqs) {
	if f == nil {
		return
	}
	for _, c := range f.names {
		if _, tracked := s.clients[c]; tracked {
			out.gauge(descClientFrequency, float64(f.secs[c]), c)
		}
	}
}
