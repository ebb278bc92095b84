package nbu

// Known is a field a record may leave out. Real primaries omit fields the spec lists (a disk pool
// list without its sizes, a storage unit without its capacity), and an absent figure is not a
// zero: OK is false when the field was absent, null, or held nothing of its kind ("n/a", an
// object), so that the exporter leaves the series out instead of reporting 0.
type Known[T any] struct {
	V  T
	OK bool
}

// Some is a Known value that was sent.
func Some[T any](v T) Known[T] { return Known[T]{V: v, OK: true} }

// known is what an optInt decoded, as the field a record exposes.
func (o optInt) known() Known[int64] { return Known[int64]{V: o.v, OK: o.set} }

// known is what an optBool decoded, as the field a record exposes.
func (o optBool) known() Known[bool] { return Known[bool]{V: o.v, OK: o.set} }

// known is what a sentNumber decoded, as the field a record exposes.
func (o sentNumber) known() Known[float64] { return Known[float64]{V: o.v, OK: o.set} }
