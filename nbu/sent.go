package nbu

import (
	"math"
	"strconv"
	"time"
)

// sentNumber is a number, or a string holding one, that remembers whether it was sent: a field
// that is absent, null, not a number or not finite is not zero (a licence count, a capacity in
// MB, a security score or weight).
type sentNumber struct {
	v   float64
	set bool
}

func (n *sentNumber) UnmarshalJSON(b []byte) error {
	*n = sentNumber{}
	v, ok := numberBytes(b)
	if !ok {
		return nil
	}
	if x, err := strconv.ParseFloat(string(v), 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
		n.v, n.set = x, true
	}
	return nil
}

// maxUnixMilli is the end of year 9999: a later instant is not a date NetBackup means.
const maxUnixMilli = 253402300799999

// msTime is an instant the spec gives as milliseconds since the epoch (a certificate's notAfter),
// read leniently: a number or a numeric string of milliseconds, or an RFC 3339 string as the
// other endpoints send their times. The zero time stands for absent: null, unreadable, and 0 or
// less (no certificate ends in 1970), or past year 9999.
type msTime time.Time

func (t *msTime) UnmarshalJSON(b []byte) error {
	*t = msTime{}
	if v, ok := numberBytes(b); ok {
		if x, err := strconv.ParseFloat(string(v), 64); err == nil {
			if x > 0 && x <= maxUnixMilli {
				*t = msTime(time.UnixMilli(int64(x)).UTC())
			}
			return nil
		}
	}
	// Not a number ("2027-01-01T00:00:00Z" starts like one).
	var lt lTime
	_ = lt.UnmarshalJSON(b)
	*t = msTime(lt)
	return nil
}
