package config

// testSchema stands for the prober's registry in this package's tests.
var testSchema = Schema{
	Collectors:        []string{"jobs", "storage"},
	DefaultCollectors: []string{"jobs", "storage"},
}
