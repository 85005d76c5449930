//go:build !unix

package cnn

import "testing"

// cpuLoop runs fn b.N times (the CPU time is measured on unix only).
func cpuLoop(b *testing.B, fn func()) {
	for b.Loop() {
		fn()
	}
}
