package smoothing

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/errs"
)

func TestConstructorsRejectBadParameters(t *testing.T) {
	for _, sigma := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		_, err := Gaussian(sigma)
		assert.ErrorIs(t, err, errs.ErrInvalidInput, "σ = %v", sigma)
	}
	for _, ab := range [][2]float64{{1, 1}, {2, 1}, {math.NaN(), 1}, {0, math.Inf(1)}, {-math.MaxFloat64, math.MaxFloat64}} {
		_, err := Uniform(ab[0], ab[1])
		assert.ErrorIs(t, err, errs.ErrInvalidInput, "[a, b] = %v", ab)
	}
	g, err := Gaussian(0.25)
	require.NoError(t, err)
	assert.Equal(t, KindGaussian, g.Kind())
	assert.Equal(t, 0.25, g.Sigma())
	assert.Equal(t, "N(0, 0.25²I)", g.String())
	u, err := Uniform(-1, 3)
	require.NoError(t, err)
	a, b := u.Bounds()
	assert.Equal(t, [2]float64{-1, 3}, [2]float64{a, b})
	assert.Equal(t, "U([-1, 3])", u.String())
}

func TestZeroNoiseIsAnError(t *testing.T) {
	var n Noise
	assert.ErrorIs(t, n.Perturb(Stream(1, 0), make([]float64, 2), []float64{1, 2}), ErrZeroNoise)
	assert.ErrorIs(t, ErrZeroNoise, errs.ErrInvalidInput)
	_, err := n.PerturbData(Stream(1, 0), [][]float64{{1}})
	assert.ErrorIs(t, err, ErrZeroNoise)
	assert.True(t, math.IsNaN(n.Sample(Stream(1, 0))))
}

// TestSampleMoments checks mean and variance of 200,000 draws for a fixed seed against the
// closed forms, with a tolerance of 5 standard errors: the standard error of the mean is
// sqrt(Var/n); that of the sample variance is sqrt((μ4 − Var²)/n), with fourth central
// moment μ4 = 3σ⁴ for N(0, σ²) and (b−a)⁴/80 for U([a, b]).
func TestSampleMoments(t *testing.T) {
	const draws = 200000
	gauss, err := Gaussian(0.5)
	require.NoError(t, err)
	unif, err := Uniform(-1, 3)
	require.NoError(t, err)
	cases := []struct {
		noise          Noise
		mean, variance float64
		mu4            float64
	}{
		{gauss, 0, 0.25, 3 * 0.0625},
		{unif, 1, 16.0 / 12, 256.0 / 80},
	}
	for _, c := range cases {
		rng := Stream(42, 7)
		var sum, sumSq float64
		for range draws {
			v := c.noise.Sample(rng)
			sum += v
			sumSq += v * v
		}
		mean := sum / draws
		variance := sumSq/draws - mean*mean
		seMean := math.Sqrt(c.variance / draws)
		seVar := math.Sqrt((c.mu4 - c.variance*c.variance) / draws)
		assert.InDelta(t, c.mean, mean, 5*seMean, "%v mean", c.noise)
		assert.InDelta(t, c.variance, variance, 5*seVar, "%v variance", c.noise)
	}
}

func TestUniformSamplesStayInSupport(t *testing.T) {
	unif, err := Uniform(2, 2.5)
	require.NoError(t, err)
	rng := Stream(3, 1)
	for range 10000 {
		v := unif.Sample(rng)
		require.GreaterOrEqual(t, v, 2.0)
		require.Less(t, v, 2.5)
	}
}

func TestStreamsRepeatAndDiffer(t *testing.T) {
	draw := func(seed uint64, k int) [4]uint64 {
		rng := Stream(seed, k)
		return [4]uint64{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
	}
	assert.Equal(t, draw(9, 3), draw(9, 3), "same (seed, k) must repeat bit-identically")
	assert.NotEqual(t, draw(9, 3), draw(9, 4), "different k")
	assert.NotEqual(t, draw(9, 3), draw(10, 3), "different seed")
	assert.NotEqual(t, draw(0, 1), draw(1, 0), "(seed, k) must not collapse to seed+k")
}

// TestStreamKeyDerivation checks the documented key derivation against SHA-256 digests
// computed independently with Python's hashlib:
//
//	hashlib.sha256(b'rab/smoothing.Stream/v1' + struct.pack('<QQ', seed, k)).hexdigest()
//
// and pins the first output of Stream(0, 0), so that a change to the derivation (which
// would silently change every trained ensemble) fails loudly.
func TestStreamKeyDerivation(t *testing.T) {
	cases := []struct {
		seed uint64
		k    int
		key  string
	}{
		{0, 0, "3fd268b484c6a84417bd76dcc529ea8ac72dfa84afe35cd5ec2294e7b8595320"},
		{12345, 7, "d72d217e0bec8f7c76e20988e4a091e70251d28246c601d3b6653237d9d7d6e4"},
	}
	for _, c := range cases {
		raw, err := hex.DecodeString(c.key)
		require.NoError(t, err)
		want := rand.New(rand.NewChaCha8([32]byte(raw)))
		got := Stream(c.seed, c.k)
		for range 8 {
			require.Equal(t, want.Uint64(), got.Uint64())
		}
	}
	assert.Equal(t, uint64(0x2e8e88043214f043), Stream(0, 0).Uint64())
}

func TestSeedFromModel(t *testing.T) {
	a := SeedFromModel([]byte("model A"))
	// struct.unpack('<Q', hashlib.sha256(b'rab/smoothing.SeedFromModel/v1' + b'model A').digest()[:8])
	assert.Equal(t, uint64(4733338127129720893), a)
	assert.Equal(t, a, SeedFromModel([]byte("model A")))
	assert.NotEqual(t, a, SeedFromModel([]byte("model B")))
	assert.NotEqual(t, SeedFromModel(nil), SeedFromModel([]byte{0}))
}

func TestPerturbDataCopiesAndNeverMutates(t *testing.T) {
	noise, err := Gaussian(1)
	require.NoError(t, err)
	X := [][]float64{{1, 2, 3}, {4, 5, 6}}
	orig := [][]float64{{1, 2, 3}, {4, 5, 6}}
	noisy, err := noise.PerturbData(Stream(5, 0), X)
	require.NoError(t, err)
	assert.Equal(t, orig, X, "input mutated")
	require.Len(t, noisy, 2)
	// The same stream, drawn coordinate by coordinate, gives the same noise.
	rng := Stream(5, 0)
	for i := range X {
		for j := range X[i] {
			assert.Equal(t, X[i][j]+noise.Sample(rng), noisy[i][j])
		}
	}
	// Appending to one row of the result must not overwrite the next.
	noisy[0] = append(noisy[0], 99)
	assert.NotEqual(t, 99.0, noisy[1][0])
}

func TestPerturbDataRejectsBadInput(t *testing.T) {
	noise, err := Gaussian(1)
	require.NoError(t, err)
	for name, X := range map[string][][]float64{
		"empty":   nil,
		"no cols": {{}},
		"ragged":  {{1, 2}, {3}},
		"NaN":     {{1, math.NaN()}},
		"Inf":     {{math.Inf(-1)}},
	} {
		_, err := noise.PerturbData(Stream(1, 0), X)
		assert.ErrorIs(t, err, errs.ErrInvalidInput, name)
	}
}

func TestPerturbInPlaceMatchesCopy(t *testing.T) {
	noise, err := Uniform(-0.5, 0.5)
	require.NoError(t, err)
	x := []float64{1, 2, 3, 4}
	dst := make([]float64, 4)
	require.NoError(t, noise.Perturb(Stream(8, 2), dst, x))
	assert.Equal(t, []float64{1, 2, 3, 4}, x, "input mutated")
	inPlace := append([]float64(nil), x...)
	require.NoError(t, noise.Perturb(Stream(8, 2), inPlace, inPlace))
	assert.Equal(t, dst, inPlace)
	assert.ErrorIs(t, noise.Perturb(Stream(8, 2), make([]float64, 3), x), errs.ErrInvalidInput)
}

func TestPerturbDoesNotAllocate(t *testing.T) {
	noise, err := Gaussian(1)
	require.NoError(t, err)
	rng := Stream(1, 1)
	x := make([]float64, 64)
	dst := make([]float64, 64)
	allocs := testing.AllocsPerRun(100, func() {
		_ = noise.Perturb(rng, dst, x)
	})
	assert.Zero(t, allocs)
}
