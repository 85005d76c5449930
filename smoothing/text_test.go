package smoothing

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/errs"
)

func TestTextRoundTrip(t *testing.T) {
	third := 1.0 / 3 // needs all 17 significant digits to read back
	cases := []struct {
		noise func() (Noise, error)
		text  string
	}{
		{func() (Noise, error) { return Gaussian(0.5) }, "gaussian(sigma=0.5)"},
		{func() (Noise, error) { return Gaussian(third) }, "gaussian(sigma=0.3333333333333333)"},
		{func() (Noise, error) { return Gaussian(math.SmallestNonzeroFloat64) }, "gaussian(sigma=5e-324)"},
		{func() (Noise, error) { return Uniform(-1, 1) }, "uniform(a=-1,b=1)"},
		{func() (Noise, error) { return Uniform(0, 1e300) }, "uniform(a=0,b=1e+300)"},
		{func() (Noise, error) { return Uniform(-third, 2.5) }, "uniform(a=-0.3333333333333333,b=2.5)"},
	}
	for _, c := range cases {
		n, err := c.noise()
		require.NoError(t, err)
		text, err := n.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, c.text, string(text))
		var back Noise
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, n, back, "%s reads back bit-identically", text)

		js, err := json.Marshal(map[string]Noise{"noise": n})
		require.NoError(t, err)
		assert.Equal(t, `{"noise":"`+c.text+`"}`, string(js), "encoding/json uses the text form")
		var decoded map[string]Noise
		require.NoError(t, json.Unmarshal(js, &decoded))
		assert.Equal(t, n, decoded["noise"])
	}
	_, err := Noise{}.MarshalText()
	assert.ErrorIs(t, err, ErrZeroNoise)
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
}

func TestUnmarshalTextRejects(t *testing.T) {
	corrupt := map[string]string{
		"":                          "want kind(parameters)",
		"gaussian":                  "want kind(parameters)",
		"gaussian(sigma=1":          "want kind(parameters)",
		"laplace(b=1)":              `unknown noise kind "laplace"`,
		"Gaussian(sigma=1)":         `unknown noise kind "Gaussian"`,
		"gaussian()":                "parameter 0 is \"\", want sigma=value",
		"gaussian(s=1)":             `parameter 0 is "s=1", want sigma=value`,
		"gaussian(sigma=1,b=2)":     "2 parameters, want 1",
		"gaussian(sigma=one)":       `sigma: strconv.ParseFloat: parsing "one": invalid syntax`,
		"gaussian(sigma= 1)":        "invalid syntax",
		"gaussian(sigma=1e400)":     "value out of range",
		"uniform(b=1,a=0)":          `parameter 0 is "b=1", want a=value`,
		"uniform(a=0)":              "1 parameters, want 2",
		"uniform(a=0,b=1)x":         "want kind(parameters)",
		"gaussian(sigma=1)(":        "want kind(parameters)",
		"uniform(a=0,b=1,c=2)":      "3 parameters, want 2",
		"gaussian(sigma=0.5) extra": "want kind(parameters)",
	}
	invalid := map[string]string{
		"gaussian(sigma=0)":         "σ = 0: want a finite σ > 0",
		"gaussian(sigma=-1)":        "σ = -1",
		"gaussian(sigma=NaN)":       "σ = NaN",
		"gaussian(sigma=+Inf)":      "σ = +Inf",
		"uniform(a=1,b=1)":          "want a < b",
		"uniform(a=0,b=inf)":        "bounds must be finite",
		"uniform(a=-1e308,b=1e308)": "finite width",
	}
	for _, c := range []struct {
		cases map[string]string
		kind  error
	}{{corrupt, errs.ErrCorrupt}, {invalid, errs.ErrInvalidInput}} {
		for text, want := range c.cases {
			n, err := Gaussian(7)
			require.NoError(t, err)
			before := n
			err = n.UnmarshalText([]byte(text))
			require.Error(t, err, "%q", text)
			assert.ErrorIs(t, err, c.kind, "%q", text)
			assert.ErrorContains(t, err, want, "%q", text)
			assert.Equal(t, before, n, "%q: unchanged on error", text)
		}
	}
}

// FuzzUnmarshalText: no input panics, and whatever is accepted marshals back to text
// that reads back to the same Noise.
func FuzzUnmarshalText(f *testing.F) {
	for _, s := range []string{"gaussian(sigma=0.5)", "uniform(a=-1,b=1)", "gaussian(sigma=5e-324)",
		"uniform(a=0,b=1e+300)", "gaussian(sigma=NaN)", "uniform(a=1,b=1)", "gaussian(", "x(y=1)"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		var n Noise
		if err := n.UnmarshalText(text); err != nil {
			if !errorIsOneOf(err, errs.ErrCorrupt, errs.ErrInvalidInput) {
				t.Fatalf("%q: error %v wraps neither sentinel", text, err)
			}
			return
		}
		again, err := n.MarshalText()
		if err != nil {
			t.Fatalf("%q accepted but does not marshal: %v", text, err)
		}
		var back Noise
		if err := back.UnmarshalText(again); err != nil || back != n {
			t.Fatalf("%q → %v → %q → %v, %v", text, n, again, back, err)
		}
	})
}

func errorIsOneOf(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
