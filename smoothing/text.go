package smoothing

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/rabcert/rab/internal/errs"
)

// MarshalText implements encoding.TextMarshaler: Gaussian noise is "gaussian(sigma=σ)",
// uniform noise "uniform(a=a,b=b)", with the shortest decimal form that reads back to
// the same float64 (strconv 'g', precision −1), e.g. "gaussian(sigma=0.5)" and
// "uniform(a=-1,b=1)". UnmarshalText reads the same form back to an identical Noise.
// The zero Noise cannot be marshalled: the error wraps ErrZeroNoise.
func (n Noise) MarshalText() ([]byte, error) {
	switch n.kind {
	case KindGaussian:
		return fmt.Appendf(nil, "%v(sigma=%s)", n.kind, formatFloat(n.sigma)), nil
	case KindUniform:
		return fmt.Appendf(nil, "%v(a=%s,b=%s)", n.kind, formatFloat(n.a), formatFloat(n.b)), nil
	}
	return nil, fmt.Errorf("smoothing: MarshalText: %w", ErrZeroNoise)
}

// UnmarshalText implements encoding.TextUnmarshaler for the form MarshalText writes:
// a kind, then its parameters as name=value in that order, comma-separated, no spaces.
// Text that is not of that form wraps errs.ErrCorrupt (rab.ErrCorrupt); well-formed
// text with parameters that Gaussian or Uniform reject (σ ≤ 0, a ≥ b) wraps
// errs.ErrInvalidInput. On error n is unchanged.
func (n *Noise) UnmarshalText(text []byte) error {
	kind, args, ok := bytes.Cut(text, []byte("("))
	args, closed := bytes.CutSuffix(args, []byte(")"))
	if !ok || !closed {
		return errs.Corrupt("smoothing: UnmarshalText %q: want kind(parameters), e.g. gaussian(sigma=0.5) or uniform(a=-1,b=1)", text)
	}
	var (
		parsed Noise
		err    error
	)
	switch string(kind) {
	case KindGaussian.String():
		var v []float64
		if v, err = parseParams(text, args, "sigma"); err == nil {
			parsed, err = Gaussian(v[0])
		}
	case KindUniform.String():
		var v []float64
		if v, err = parseParams(text, args, "a", "b"); err == nil {
			parsed, err = Uniform(v[0], v[1])
		}
	default:
		return errs.Corrupt("smoothing: UnmarshalText %q: unknown noise kind %q: want %v or %v", text, kind, KindGaussian, KindUniform)
	}
	if err != nil {
		return err
	}
	*n = parsed
	return nil
}

// parseParams parses args, "name1=v1,name2=v2,…", with exactly the given names in
// order. text is the whole input, for messages.
func parseParams(text, args []byte, names ...string) ([]float64, error) {
	fields := bytes.Split(args, []byte(","))
	if len(fields) != len(names) {
		return nil, errs.Corrupt("smoothing: UnmarshalText %q: %d parameters, want %d (%v)", text, len(fields), len(names), names)
	}
	values := make([]float64, len(names))
	for i, f := range fields {
		value, ok := bytes.CutPrefix(f, []byte(names[i]+"="))
		if !ok {
			return nil, errs.Corrupt("smoothing: UnmarshalText %q: parameter %d is %q, want %s=value", text, i, f, names[i])
		}
		v, err := strconv.ParseFloat(string(value), 64)
		if err != nil {
			return nil, errs.Corrupt("smoothing: UnmarshalText %q: %s: %w", text, names[i], err)
		}
		values[i] = v
	}
	return values, nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
