// Package dense is a synthetic float32 network of a chosen size for the ensemble's
// memory and vote benchmarks: it stands in for a large base model (the reference CNN
// of issue 12 has about 1.1 MB of float32 parameters) without the cost of training
// one. Its weights are drawn from the fit seed; the data are ignored.
package dense

import (
	"context"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/rabcert/rab/ensemble"
)

// Kind is the model kind registered with package ensemble.
const Kind = "dense-test"

func init() {
	ensemble.RegisterDecoder(Kind, func(data []byte) (ensemble.Model, error) { return Decode(data) })
}

// Model is a network d → h (ReLU) → c with float32 weights.
type Model struct {
	d, h, c int
	w1      []float32 // h×d
	w2      []float32 // c×h
}

var (
	_ ensemble.Model          = (*Model)(nil)
	_ ensemble.Kinded         = (*Model)(nil)
	_ ensemble.Dimensioned    = (*Model)(nil)
	_ encoding.BinaryAppender = (*Model)(nil)
)

// New returns a model with weights uniform in [−1, 1)/√fan-in drawn from seed.
func New(d, h, c int, seed uint64) *Model {
	m := &Model{d: d, h: h, c: c, w1: make([]float32, h*d), w2: make([]float32, c*h)}
	rng := rand.New(rand.NewPCG(seed, 0x64656e7365))
	fill := func(w []float32, fanIn int) {
		scale := float32(1 / math.Sqrt(float64(fanIn)))
		for i := range w {
			w[i] = scale * (2*float32(rng.Uint32()>>8)/(1<<24) - 1)
		}
	}
	fill(m.w1, d)
	fill(m.w2, h)
	return m
}

// Params returns the number of parameters, h·d + c·h.
func (m *Model) Params() int { return len(m.w1) + len(m.w2) }

// Kind returns Kind.
func (m *Model) Kind() string { return Kind }

// InputDim returns d.
func (m *Model) InputDim() int { return m.d }

// Classes returns c.
func (m *Model) Classes() int { return m.c }

// scratch holds a call's float32 inputs and activations; pooled, so that members do
// not each keep their own.
type scratch struct{ x, hid []float32 }

var pool = sync.Pool{New: func() any { return new(scratch) }}

// Predict runs the batch layer by layer, reading each weight once per call.
func (m *Model) Predict(X [][]float64, out []int) error {
	if len(out) != len(X) {
		return fmt.Errorf("dense: %d rows, %d outputs", len(X), len(out))
	}
	sc := pool.Get().(*scratch)
	defer pool.Put(sc)
	n := len(X)
	sc.x = grow(sc.x, n*m.d)
	sc.hid = grow(sc.hid, n*m.h)
	for r, row := range X {
		if len(row) != m.d {
			return fmt.Errorf("dense: row %d has %d features, want %d", r, len(row), m.d)
		}
		for i, v := range row {
			sc.x[r*m.d+i] = float32(v)
		}
	}
	for j := range m.h {
		w := m.w1[j*m.d : (j+1)*m.d]
		for r := range n {
			if s := dot(w, sc.x[r*m.d:(r+1)*m.d]); s > 0 {
				sc.hid[r*m.h+j] = s
			} else {
				sc.hid[r*m.h+j] = 0
			}
		}
	}
	for r := range n {
		hid := sc.hid[r*m.h : (r+1)*m.h]
		best, bestScore := 0, float32(math.Inf(-1))
		for k := range m.c {
			if s := dot(m.w2[k*m.h:(k+1)*m.h], hid); s > bestScore {
				best, bestScore = k, s
			}
		}
		out[r] = best
	}
	return nil
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

const magic = "RABDENSE"

// MarshalBinary returns magic, d, h, c (uint32) and the weights' float32 bits.
func (m *Model) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, len(magic)+12+4*m.Params()))
}

// AppendBinary appends MarshalBinary's bytes to b.
func (m *Model) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, magic...)
	for _, v := range []int{m.d, m.h, m.c} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, w := range [][]float32{m.w1, m.w2} {
		for _, v := range w {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b, nil
}

// Decode reads MarshalBinary's bytes; it does not keep data.
func Decode(data []byte) (*Model, error) {
	if len(data) < len(magic)+12 || string(data[:len(magic)]) != magic {
		return nil, errors.New("dense: bad header")
	}
	dims := data[len(magic):]
	d, h, c := int(binary.LittleEndian.Uint32(dims)), int(binary.LittleEndian.Uint32(dims[4:])), int(binary.LittleEndian.Uint32(dims[8:]))
	body := dims[12:]
	if d < 1 || h < 1 || c < 2 || d > len(body) || h > len(body) || c > len(body) || 4*(h*d+c*h) != len(body) {
		return nil, errors.New("dense: bad sizes")
	}
	m := &Model{d: d, h: h, c: c, w1: make([]float32, h*d), w2: make([]float32, c*h)}
	for i := range m.w1 {
		m.w1[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
	}
	body = body[4*len(m.w1):]
	for i := range m.w2 {
		m.w2[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
	}
	return m, nil
}

// Learner returns New(D, H, C, seed) for every fit, whatever the data.
type Learner struct{ D, H, C int }

// Fit returns New(l.D, l.H, l.C, seed).
func (l Learner) Fit(ctx context.Context, X [][]float64, _ []int, _ int, seed uint64) (ensemble.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(X) > 0 && len(X[0]) != l.D {
		return nil, fmt.Errorf("dense: data have %d features, the learner %d", len(X[0]), l.D)
	}
	return New(l.D, l.H, l.C, seed), nil
}

// Describe returns Kind and the sizes, so that the learner can train shards.
func (l Learner) Describe() (kind, config string) {
	return Kind, fmt.Sprintf("%d,%d,%d", l.D, l.H, l.C)
}
