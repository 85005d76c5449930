package defense

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rabcert/rab/internal/buildcheck"
	"github.com/rabcert/rab/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defence is one call under test with uniform arguments; opts are the options valid
// for every defence.
type defence struct {
	name string
	run  func(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Result, error)
}

// defences runs each defence; SCAn's clean set is a fixed sample of newPlanted's
// distribution (or, when X has another dimension, X itself).
func defences(t testing.TB) []defence {
	p := newPlanted(t, 99)
	scan := func(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Result, error) {
		cleanX, cleanY := p.cleanX, p.cleanY
		if len(X) > 0 && len(X[0]) != plantedD {
			cleanX, cleanY = X, y
		}
		return SCAn(ctx, cleanX, cleanY, X, y, as[SCAnOption](opts)...)
	}
	return []defence{
		{"SpectralSignatures", func(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Result, error) {
			return SpectralSignatures(ctx, X, y, as[SpectralOption](opts)...)
		}},
		{"ActivationClustering", func(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Result, error) {
			return ActivationClustering(ctx, X, y, as[ClusteringOption](opts)...)
		}},
		{"Sphere", func(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Result, error) {
			return Sphere(ctx, X, y, as[SphereOption](opts)...)
		}},
		{"SCAn", scan},
	}
}

// as converts options valid for every defence to one defence's option type.
func as[O any](opts []Option) []O {
	out := make([]O, len(opts))
	for i, o := range opts {
		if o != nil {
			out[i] = any(o).(O)
		}
	}
	return out
}

func TestBadDataIsALocatedInputError(t *testing.T) {
	good := func() ([][]float64, []int) {
		X, y := gaussian(3, plantedD, []int{10, 10}, nil)
		return X, y
	}
	cases := []struct {
		name         string
		mutate       func(X [][]float64, y []int) ([][]float64, []int)
		row, feature int
		msg          string
	}{
		{"empty", func([][]float64, []int) ([][]float64, []int) { return nil, nil }, -1, -1, "empty data"},
		{"ragged", func(X [][]float64, y []int) ([][]float64, []int) { X[4] = X[4][:3]; return X, y }, 4, -1, "rows must have equal length"},
		{"NaN", func(X [][]float64, y []int) ([][]float64, []int) { X[6][2] = math.NaN(); return X, y }, 6, 2, "values must be finite"},
		{"infinite", func(X [][]float64, y []int) ([][]float64, []int) { X[7][0] = math.Inf(-1); return X, y }, 7, 0, "values must be finite"},
		{"negative label", func(X [][]float64, y []int) ([][]float64, []int) { y[5] = -1; return X, y }, 5, -1, "outside [0,"},
		{"too few labels", func(X [][]float64, y []int) ([][]float64, []int) { return X, y[:19] }, -1, -1, "one label per row"},
		{"one row in a class", func(X [][]float64, y []int) ([][]float64, []int) { y[13] = 2; return X, y }, 13, -1, "class 2 has 1 row"},
		{"one class", func(X [][]float64, y []int) ([][]float64, []int) { return X[:10], y[:10] }, -1, -1, "want at least 2"},
		{"label beyond MaxClasses", func(X [][]float64, y []int) ([][]float64, []int) { y[0] = MaxClasses; return X, y }, -1, -1, "at most 65536 classes"},
	}
	for _, d := range defences(t) {
		for _, c := range cases {
			X, y := c.mutate(good())
			before, beforeY := deepCopy(X, y)
			_, err := d.run(context.Background(), X, y)
			require.Error(t, err, "%s: %s", d.name, c.name)
			assert.ErrorIs(t, err, ErrInvalidInput, "%s: %s", d.name, c.name)
			assert.Contains(t, err.Error(), "defense: "+d.name+": ", "%s: %s", d.name, c.name)
			assert.Contains(t, err.Error(), c.msg, "%s: %s", d.name, c.name)
			var ie *InputError
			require.ErrorAs(t, err, &ie, "%s: %s", d.name, c.name)
			assert.Equal(t, c.row, ie.Row, "%s: %s", d.name, c.name)
			assert.Equal(t, c.feature, ie.Feature, "%s: %s", d.name, c.name)
			assert.True(t, sameBits(before, X), "%s: %s: X unchanged", d.name, c.name)
			assert.Equal(t, beforeY, y, "%s: %s: y unchanged", d.name, c.name)
		}
	}
}

func TestBadLabelWithClasses(t *testing.T) {
	X, y := gaussian(3, plantedD, []int{10, 10}, nil)
	for _, d := range defences(t) {
		_, err := d.run(context.Background(), X, y, WithClasses(1))
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.ErrorContains(t, err, "WithClasses(1)")
		_, err = d.run(context.Background(), X, y, WithClasses(MaxClasses+1))
		assert.ErrorContains(t, err, "want 2 to 65536 classes")
		_, err = d.run(context.Background(), X, y, WithWorkers(0))
		assert.ErrorContains(t, err, "WithWorkers(0)")
		_, err = d.run(context.Background(), X, y, nil)
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.ErrorContains(t, err, "defense: "+d.name+": option 0 is nil")
		y2 := append([]int(nil), y...)
		y2[3] = 5
		_, err = d.run(context.Background(), X, y2, WithClasses(3))
		var ie *InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, 3, ie.Row)
		assert.ErrorContains(t, err, "label 5 is outside [0, 3)")
		//lint:ignore SA1012 a nil context is what this checks
		_, err = d.run(nil, X, y) //nolint:staticcheck
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.ErrorContains(t, err, "nil context")
	}
}

func TestBadOptions(t *testing.T) {
	X, y := gaussian(3, plantedD, []int{10, 10}, nil)
	ctx := context.Background()
	check := func(err error, want string) {
		t.Helper()
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.ErrorContains(t, err, want)
	}
	for _, eps := range []float64{0, -0.1, 1, math.NaN(), 2.0 / 3, 0.7} {
		_, err := SpectralSignatures(ctx, X, y, WithPoisonRate(eps))
		check(err, "WithPoisonRate(")
	}
	for _, k := range []int{0, -3} {
		_, err := ActivationClustering(ctx, X, y, WithDims(k))
		check(err, "WithDims(")
		_, err = Sphere(ctx, X, y, WithDims(k))
		check(err, "WithDims(")
		_, err = ActivationClustering(ctx, X, y, WithRestarts(k))
		check(err, "WithRestarts(")
	}
	for _, th := range []float64{0, -1, 0.51, math.NaN()} {
		_, err := ActivationClustering(ctx, X, y, WithSizeThreshold(th))
		check(err, "WithSizeThreshold(")
	}
	for _, f := range []float64{0, 1, -0.5, math.Inf(1), math.NaN()} {
		_, err := Sphere(ctx, X, y, WithFraction(f))
		check(err, "WithFraction(")
	}
}

func TestSCAnCleanSet(t *testing.T) {
	p := newPlanted(t, 4)
	ctx := context.Background()
	_, err := SCAn(ctx, p.cleanX[:50], p.cleanY[:50], p.X, p.y, WithClasses(2))
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "clean set holds only class 0")

	short := make([][]float64, len(p.cleanX))
	for i, row := range p.cleanX {
		short[i] = row[:plantedD-1]
	}
	_, err = SCAn(ctx, short, p.cleanY, p.X, p.y)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "clean set has 19 features, the training set 20")

	bad, badY := deepCopy(p.cleanX, p.cleanY)
	bad[17][3] = math.NaN()
	_, err = SCAn(ctx, bad, badY, p.X, p.y)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, [2]int{17, 3}, [2]int{ie.Row, ie.Feature})
	assert.ErrorContains(t, err, "defense: SCAn: clean set: row 17, feature 3")
}

func TestCancelledContext(t *testing.T) {
	p := newPlanted(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, d := range defences(t) {
		_, err := d.run(ctx, p.X, p.y)
		assert.ErrorIs(t, err, context.Canceled, d.name)
		assert.NotErrorIs(t, err, ErrInvalidInput, d.name)
	}
}

// Every defence gives bit-identical results for any number of workers, and leaves its
// inputs unchanged.
func TestDeterministicAndNonMutating(t *testing.T) {
	X, y := cleanGaussian(12)
	for _, d := range defences(t) {
		before, beforeY := deepCopy(X, y)
		want, err := d.run(context.Background(), X, y, WithWorkers(1))
		require.NoError(t, err)
		for _, workers := range []int{2, 3, 8} {
			got, err := d.run(context.Background(), X, y, WithWorkers(workers))
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s with %d workers", d.name, workers)
		}
		assert.True(t, sameBits(before, X), d.name)
		assert.Equal(t, beforeY, y, d.name)
	}
}

func TestSeedChangesOnlyTheStreams(t *testing.T) {
	p := newPlanted(t, 6)
	a, err := ActivationClustering(context.Background(), p.X, p.y, WithSeed(1))
	require.NoError(t, err)
	b, err := ActivationClustering(context.Background(), p.X, p.y, WithSeed(1))
	require.NoError(t, err)
	assert.Equal(t, a, b, "same seed, same result")
	c, err := ActivationClustering(context.Background(), p.X, p.y, WithSeed(2))
	require.NoError(t, err)
	assert.Equal(t, a.Flagged, c.Flagged, "a well-separated cluster is found from any seed")
}

func TestKept(t *testing.T) {
	r := &Result{Flagged: []int{1, 4}, Scores: make([]float64, 6)}
	assert.Equal(t, []int{0, 2, 3, 5}, r.Kept())
	assert.Equal(t, []int{0, 1, 2}, (&Result{Scores: make([]float64, 3)}).Kept())
}

func TestBudget(t *testing.T) {
	assert.Equal(t, 15, budget(1.5*0.1, 100), "15.000000000000002 is 15")
	assert.Equal(t, 16, budget(0.151, 100))
	assert.Equal(t, 1, budget(0.01, 3))
	assert.Equal(t, 83, budget(0.15, 550))
}

// The sentinels are the module's: errors.Is works whichever package reported them.
func TestSentinels(t *testing.T) {
	assert.True(t, errors.Is(ErrInvalidInput, errs.ErrInvalidInput))
}

// Every defence is invariant under scaling of the representations, and a power of two
// changes no bit of the computation: flagged rows, groups and the scale-free scores
// stay identical, Spectral Signatures' τ scales by 4ᵏ and Sphere's distances by 2ᵏ,
// even at magnitudes whose squares overflow (2⁶⁰⁰) or underflow (2⁻⁶⁰⁰) in float64.
func TestScaleInvariance(t *testing.T) {
	p := newPlanted(t, 8)
	ctx := context.Background()
	for _, k := range []int{600, 300, -300, -600} {
		X, cleanX := scaled(p.X, k), scaled(p.cleanX, k)
		for _, d := range defences(t) {
			want, err := d.run(ctx, p.X, p.y)
			require.NoError(t, err)
			got, err := d.run(ctx, X, p.y)
			if d.name == "SCAn" {
				want, err = SCAn(ctx, p.cleanX, p.cleanY, p.X, p.y)
				require.NoError(t, err)
				got, err = SCAn(ctx, cleanX, p.cleanY, X, p.y)
			}
			require.NoError(t, err, "%s 2^%d", d.name, k)
			assert.Equal(t, want.Flagged, got.Flagged, "%s 2^%d", d.name, k)
			assert.Equal(t, want.Groups, got.Groups, "%s 2^%d", d.name, k)
			assert.Equal(t, want.ClassScores, got.ClassScores, "%s 2^%d", d.name, k)
			degree := map[string]int{"SpectralSignatures": 2, "Sphere": 1}[d.name]
			for i, s := range want.Scores {
				assert.Equal(t, math.Ldexp(s, degree*k), got.Scores[i], "%s 2^%d row %d", d.name, k, i)
			}
		}
	}
}

func scaled(X [][]float64, k int) [][]float64 {
	out := make([][]float64, len(X))
	for i, row := range X {
		out[i] = make([]float64, len(row))
		for j, v := range row {
			out[i][j] = math.Ldexp(v, k)
		}
	}
	return out
}

// TestMisplacedOptionsDoNotCompile: an option given to a defence it does not configure
// is a compile error (testdata/misplaced, which also shows where each option does
// compile).
func TestMisplacedOptionsDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildcheck.Expect(t, "testdata/misplaced")
}
