//go:build !amd64

package gemm

// best is the portable kernel on architectures without an assembly kernel.
var best = generic

// kernels lists the kernels the tests compare.
func kernels() []*kernel { return []*kernel{generic} }
