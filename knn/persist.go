package knn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
)

// Binary format (little-endian), version 1:
//
//	magic "rabknn" | version uint16 | n, d, K, C, E uint64 | σ, tol float64 |
//	edges E×float64 | X n·d×float64 (row-major) | y n×uint32 | CRC-32 (IEEE) of all before.
const (
	magic         = "rabknn"
	formatVersion = 1
	headerSize    = len(magic) + 2 + 5*8 + 2*8
)

// MarshalBinary encodes the Smoother (training set, σ, K, C, edges and tolerance) in a
// versioned, checksummed binary format read by Unmarshal. Runtime settings (workers,
// progress callback) are not stored.
func (s *Smoother) MarshalBinary() ([]byte, error) {
	size := headerSize + 8*len(s.edges) + 8*len(s.x) + 4*s.n + 4
	buf := make([]byte, 0, size)
	buf = append(buf, magic...)
	buf = binary.LittleEndian.AppendUint16(buf, formatVersion)
	for _, v := range []int{s.n, s.d, s.k, s.classes, len(s.edges)} {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
	}
	for _, v := range [][]float64{{s.sigma, s.tol}, s.edges, s.x} {
		for _, f := range v {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(f))
		}
	}
	for _, v := range s.y {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf)), nil
}

// Unmarshal decodes a Smoother written by MarshalBinary and validates it as New does.
// opts are runtime options only (WithWorkers, WithProgress, WithTolerance): the
// classifier's σ, K, classes and edges are those saved. A nil option is an error.
func Unmarshal(data []byte, opts ...LoadOption) (*Smoother, error) {
	cfg := config{workers: runtime.GOMAXPROCS(0)}
	if err := applyOptions("Unmarshal", &cfg, opts, LoadOption.applyLoad); err != nil {
		return nil, err
	}
	if len(data) < headerSize+4 {
		return nil, fmt.Errorf("knn: model data too short (%d bytes)", len(data))
	}
	if string(data[:len(magic)]) != magic {
		return nil, errors.New("knn: not a knn model (bad magic)")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("knn: model data corrupt (checksum mismatch)")
	}
	p := len(magic)
	if v := binary.LittleEndian.Uint16(data[p:]); v != formatVersion {
		return nil, fmt.Errorf("knn: model format version %d, this package reads version %d", v, formatVersion)
	}
	p += 2
	var dims [5]uint64
	for i := range dims {
		dims[i] = binary.LittleEndian.Uint64(data[p:])
		p += 8
	}
	n, d, k, classes, nEdges := dims[0], dims[1], dims[2], dims[3], dims[4]
	limit := uint64(len(data))
	if n > limit || d > limit || nEdges > limit || classes > MaxClasses || k > n ||
		uint64(headerSize)+8*nEdges+8*n*d+4*n+4 != limit {
		return nil, fmt.Errorf("knn: model data inconsistent: n=%d d=%d K=%d C=%d edges=%d in %d bytes", n, d, k, classes, nEdges, len(data))
	}
	readFloats := func(count uint64) []float64 {
		out := make([]float64, count)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[p:]))
			p += 8
		}
		return out
	}
	head := readFloats(2)
	edges := readFloats(nEdges)
	flat := readFloats(n * d)
	X := make([][]float64, n)
	y := make([]int, n)
	for i := range X {
		X[i] = flat[uint64(i)*d : uint64(i+1)*d]
		y[i] = int(binary.LittleEndian.Uint32(data[p:]))
		p += 4
	}
	if cfg.set&setTol == 0 {
		cfg.tol = head[1]
	}
	cfg.sigma, cfg.k, cfg.classes, cfg.edges = head[0], int(k), int(classes), edges
	cfg.set |= setSigma | setK | setClasses | setEdges
	return newSmoother(X, y, cfg)
}
