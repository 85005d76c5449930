package logistic

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/errs"
)

// Kind is the model kind under which package logistic registers its decoder with
// package ensemble; importing package logistic makes ensemble.Load read its models.
const Kind = "logistic"

func init() {
	ensemble.RegisterDecoder(Kind, func(data []byte) (ensemble.Model, error) {
		m := new(Model)
		if err := m.UnmarshalBinary(data); err != nil {
			return nil, err
		}
		return m, nil
	})
}

// Model is a fitted multinomial logistic regression. It predicts
//
//	argmax_c  b_c + Σ_j (x_j − μ_j) V_cj
//
// (the lowest such c on ties), where μ are the training means and V the weights of the
// standardised features divided by the training standard deviations. A Model is
// immutable and safe for concurrent use.
type Model struct {
	dim, classes int
	mean         []float64 // μ, length dim
	weights      []float64 // V, classes×dim class-major
	bias         []float64 // b, length classes
	baseline     bool      // class 0's weights and intercept are 0: its score is 0
}

// newModel returns the model with the given parameters.
func newModel(d, c int, mean, weights, bias []float64) *Model {
	m := &Model{dim: d, classes: c, mean: mean, weights: weights, bias: bias, baseline: bias[0] == 0}
	for _, w := range weights[:d] {
		m.baseline = m.baseline && w == 0
	}
	return m
}

var (
	_ encoding.BinaryAppender = (*Model)(nil)
	_ ensemble.Model          = (*Model)(nil)
	_ ensemble.Kinded         = (*Model)(nil)
	_ ensemble.Dimensioned    = (*Model)(nil)
)

// Kind returns Kind.
func (m *Model) Kind() string { return Kind }

// InputDim returns the number of features d the model expects.
func (m *Model) InputDim() int { return m.dim }

// Classes returns the number of classes.
func (m *Model) Classes() int { return m.classes }

// Predict writes the predicted class of each row of X into out. X must have at least
// one row, each of InputDim values; a row whose scores are not finite (a NaN or
// infinite input) is an error.
func (m *Model) Predict(X [][]float64, out []int) error {
	if len(X) == 0 {
		return errs.Invalid("logistic: Predict: no rows: X is empty; pass at least one input")
	}
	if len(out) != len(X) {
		return errs.Invalid("logistic: Predict: out has length %d for %d rows: they must match", len(out), len(X))
	}
	c := m.classes
	for i, row := range X {
		if len(row) != m.dim {
			return errs.Invalid("logistic: Predict: row %d has %d features, the model was fitted on %d", i, len(row), m.dim)
		}
		// A baseline class 0 scores 0 (Σ (x_j − μ_j)·0 = 0 for finite x; a non-finite x
		// shows in the other classes' scores), so only classes 1 … C−1 are computed.
		best, bestScore, first := 0, math.Inf(-1), 0
		if m.baseline {
			bestScore, first = 0, 1
		}
		for k := first; k < c; k++ {
			score := m.bias[k] + centredDot(row, m.mean, m.weights[k*m.dim:(k+1)*m.dim])
			if math.IsNaN(score) || math.IsInf(score, 0) {
				return fmt.Errorf("logistic: Predict: %w", nonFinite(i, row, k))
			}
			if score > bestScore {
				best, bestScore = k, score
			}
		}
		out[i] = best
	}
	return nil
}

// Binary format, version 1, little-endian:
//
//	magic "RABLOGIT" | version uint8 = 1 | d uint32 | C uint32 |
//	μ [d]float64 | V [C·d]float64 (class-major) | b [C]float64
const (
	magic      = "RABLOGIT"
	version    = 1
	headerSize = len(magic) + 1 + 4 + 4
)

// nonFinite returns the error for row i of X, whose score for class k is not finite,
// located at the row's first non-finite feature if it has one.
func nonFinite(i int, row []float64, k int) error {
	for j, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errs.At(i, j, "non-finite score for class %d: value %v: inputs must be finite", k, v)
		}
	}
	return errs.At(i, -1, "non-finite score for class %d: features too large for the model; rescale them", k)
}

// MarshalBinary encodes the model (format version 1). It implements
// encoding.BinaryMarshaler and never fails.
func (m *Model) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, headerSize+8*(len(m.mean)+len(m.weights)+len(m.bias))))
}

// AppendBinary appends the bytes of MarshalBinary to out. It implements
// encoding.BinaryAppender and never fails.
func (m *Model) AppendBinary(out []byte) ([]byte, error) {
	out = append(out, magic...)
	out = append(out, version)
	out = binary.LittleEndian.AppendUint32(out, uint32(m.dim))
	out = binary.LittleEndian.AppendUint32(out, uint32(m.classes))
	for _, part := range [][]float64{m.mean, m.weights, m.bias} {
		for _, v := range part {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		}
	}
	return out, nil
}

// checkFinite reports a non-finite parameter, which MarshalBinary would write and
// UnmarshalBinary reject.
func (m *Model) checkFinite() error {
	for i, part := range [][]float64{m.mean, m.weights, m.bias} {
		for j, v := range part {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s[%d] is %v", [...]string{"mean", "weight", "bias"}[i], j, v)
			}
		}
	}
	return nil
}

// UnmarshalBinary decodes bytes written by MarshalBinary. It rejects bytes of another
// format or version, a length that does not match the stated dimensions, and
// non-finite parameters, with an error wrapping ensemble.ErrCorrupt. It does not keep
// data.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < headerSize || string(data[:len(magic)]) != magic {
		return errs.Corrupt("logistic: not a logistic model (bad magic or too short)")
	}
	if v := data[len(magic)]; v != version {
		return errs.Corrupt("logistic: model format version %d, this build reads version %d", v, version)
	}
	d := int(binary.LittleEndian.Uint32(data[len(magic)+1:]))
	c := int(binary.LittleEndian.Uint32(data[len(magic)+5:]))
	floats := (len(data) - headerSize) / 8
	// d, c ≤ floats keeps the product below 2⁶² before it is compared.
	if d < 1 || c < 2 || d > floats || c > floats || d*(c+1)+c != floats || (len(data)-headerSize)%8 != 0 {
		return errs.Corrupt("logistic: corrupt model: %d bytes of parameters for d = %d features and C = %d classes (want d ≥ 1, C ≥ 2 and 8·(d·(C+1)+C) bytes)", len(data)-headerSize, d, c)
	}
	params := make([]float64, floats)
	for i := range params {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[headerSize+8*i:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errs.Corrupt("logistic: corrupt model: parameter %d is %v", i, v)
		}
		params[i] = v
	}
	*m = *newModel(d, c, params[:d:d], params[d:d+c*d:d+c*d], params[d+c*d:])
	return nil
}

// centredDot returns Σ_j (x_j − μ_j)·v_j with the operations and summation order of dot
// applied to the centred row, so that Predict scores exactly as training did.
func centredDot(x, mu, v []float64) float64 {
	mu, v = mu[:len(x)], v[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64((x[i] - mu[i]) * v[i])
		s1 += float64((x[i+1] - mu[i+1]) * v[i+1])
		s2 += float64((x[i+2] - mu[i+2]) * v[i+2])
		s3 += float64((x[i+3] - mu[i+3]) * v[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64((x[i] - mu[i]) * v[i])
	}
	return (s0 + s1) + (s2 + s3)
}
