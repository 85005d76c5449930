//go:build unix

package cnn

import (
	"syscall"
	"testing"
)

// cpuLoop runs fn b.N times and also reports the process's CPU time (user + system)
// per call, which other processes sharing the machine do not inflate the way they
// inflate wall time. For single-threaded work it is the time on one core.
func cpuLoop(b *testing.B, fn func()) {
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	for b.Loop() {
		fn()
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	ns := func(r syscall.Rusage) float64 { return float64(r.Utime.Nano() + r.Stime.Nano()) }
	b.ReportMetric((ns(r1)-ns(r0))/float64(b.N), "cpu-ns/op")
}
