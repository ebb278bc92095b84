//go:build unix

package fdlimit

import "syscall"

// Limit reads the process's limit on open files; 0 when it cannot.
func Limit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return uint64(r.Cur) // int64 on some systems
}
