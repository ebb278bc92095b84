package config

// Schema is what the loader must be told by prober's collector list, which config does not
// import: the collector names a module may list, in the order error messages list them, and
// those a module gets when it lists none. That list is then the only list of collectors.
type Schema struct {
	Collectors        []string
	DefaultCollectors []string
}
