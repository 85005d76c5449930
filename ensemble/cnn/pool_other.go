//go:build !amd64

package cnn

// poolWindow is poolWindowGo on architectures without an assembly version.
func poolWindow(out []float32, idx []int32, src []float32, a, b, c, d int) bool {
	return poolWindowGo(out, idx, src, a, b, c, d)
}
