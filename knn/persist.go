package knn

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"

	"github.com/rabcert/rab/internal/errs"
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
// opts are runtime options only (WithWorkers, WithProgress, WithTolerance; the saved
// tolerance unless WithTolerance is given): the classifier's σ, K, classes and edges
// are those saved. Bytes that cannot be decoded — truncated, altered, of another
// version, with trailing data, or describing an invalid model — give an error
// wrapping ErrCorrupt; a bad option one wrapping ErrInvalidInput.
func Unmarshal(data []byte, opts ...LoadOption) (*Smoother, error) {
	cfg := config{workers: runtime.GOMAXPROCS(0), tol: DefaultTolerance}
	if err := applyOptions("Unmarshal", &cfg, opts, LoadOption.applyLoad); err != nil {
		return nil, err
	}
	if err := checkRuntime(cfg); err != nil {
		return nil, fmt.Errorf("knn: Unmarshal: %w", err)
	}
	X, y, head, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("knn: Unmarshal: %w", err)
	}
	if cfg.set&setTol == 0 {
		cfg.tol = head.tol
	}
	cfg.sigma, cfg.k, cfg.classes, cfg.edges = head.sigma, head.k, head.classes, head.edges
	cfg.set |= setSigma | setK | setClasses | setEdges
	s, err := build(X, y, cfg)
	if err != nil {
		return nil, errs.Corrupt("knn: Unmarshal: the saved model is invalid: %v", err)
	}
	return s, nil
}

// header holds the decoded model settings.
type header struct {
	sigma, tol float64
	k, classes int
	edges      []float64
}

// decode checks the framing of data (length, magic, checksum, version, sizes) and
// returns the training set and settings it holds. Its errors wrap ErrCorrupt.
func decode(data []byte) (X [][]float64, y []int, h header, err error) {
	if len(data) < headerSize+4 {
		return nil, nil, h, errs.Corrupt("model data too short (%d bytes)", len(data))
	}
	if string(data[:len(magic)]) != magic {
		return nil, nil, h, errs.Corrupt("not a knn model (bad magic)")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, nil, h, errs.Corrupt("model data corrupt (checksum mismatch)")
	}
	p := len(magic)
	if v := binary.LittleEndian.Uint16(data[p:]); v != formatVersion {
		return nil, nil, h, errs.Corrupt("model format version %d, this package reads version %d", v, formatVersion)
	}
	p += 2
	var dims [5]uint64
	for i := range dims {
		dims[i] = binary.LittleEndian.Uint64(data[p:])
		p += 8
	}
	n, d, k, classes, nEdges := dims[0], dims[1], dims[2], dims[3], dims[4]
	limit := uint64(len(data))
	if n > limit || d > limit || nEdges > limit/8 || (d > 0 && n > limit/8/d) || classes > MaxClasses || k > n ||
		uint64(headerSize)+8*nEdges+8*n*d+4*n+4 != limit {
		return nil, nil, h, errs.Corrupt("model data inconsistent: n=%d d=%d K=%d C=%d edges=%d in %d bytes", n, d, k, classes, nEdges, len(data))
	}
	readFloats := func(count uint64) []float64 {
		out := make([]float64, count)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[p:]))
			p += 8
		}
		return out
	}
	settings := readFloats(2)
	h = header{sigma: settings[0], tol: settings[1], k: int(k), classes: int(classes), edges: readFloats(nEdges)}
	flat := readFloats(n * d)
	X = make([][]float64, n)
	y = make([]int, n)
	for i := range X {
		X[i] = flat[uint64(i)*d : uint64(i+1)*d]
		y[i] = int(binary.LittleEndian.Uint32(data[p:]))
		p += 4
	}
	return X, y, h, nil
}
