package prober

import "github.com/netbackup-exporter/netbackup_exporter/config"

// collectorList lists every collector, in the order error messages and the README list them; the
// `defaultOn` ones are what a module gets when it names none. Adding a collector is a new file
// with its Collector, and one line here.
var collectorList = []struct {
	collector Collector
	defaultOn bool
}{
	{jobsCollector{}, true},
	{storageCollector{}, true},
	{diskPoolsCollector{}, true},
	{tapeCollector{}, true},
	{mediaServersCollector{}, true},
	{storageServersCollector{}, true},
	{clientsCollector{}, false},
	{policiesCollector{}, false},
	{catalogCollector{}, false},
	{slpCollector{}, false},
	{alertsCollector{}, false},
	{malwareCollector{}, false},
	{sloCollector{}, false},
	{licensingCollector{}, false},
	{certificatesCollector{}, false},
	{servicesCollector{}, false},
	{securityCollector{}, false},
}

// Schema hands the collector list to the config loader, which validates `collectors:` against it.
func Schema() config.Schema {
	var s config.Schema
	for _, e := range collectorList {
		s.Collectors = append(s.Collectors, e.collector.Name())
		if e.defaultOn {
			s.DefaultCollectors = append(s.DefaultCollectors, e.collector.Name())
		}
	}
	return s
}

// lookupCollector returns the collector named name.
func lookupCollector(name string) (Collector, bool) {
	for _, e := range collectorList {
		if e.collector.Name() == name {
			return e.collector, true
		}
	}
	return nil, false
}
