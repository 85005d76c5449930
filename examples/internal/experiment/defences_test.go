package experiment

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/internal/dataset"
)

// learnsTrigger is a vanilla classifier that is fooled (handVanilla) only if its
// training set holds a poisoned row (feature 2 set); trained without one, it classifies
// a triggered row as its clean counterpart.
func learnsTrigger(_ context.Context, s Scenario) (Classifier, error) {
	for _, x := range s.X {
		if x[2] != 0 {
			return handVanilla, nil
		}
	}
	return func(X [][]float64) ([]int, error) {
		clean := make([][]float64, len(X))
		for i, x := range X {
			clean[i] = []float64{x[0], x[1], 0}
		}
		return handVanilla(clean)
	}, nil
}

// removing is a defence that removes the rows pick chooses.
func removing(name string, pick func(s Scenario) []int) Defence {
	return Defence{Name: name, Setting: "removes " + name,
		Flag: func(_ context.Context, s Scenario, reps [][]float64) ([]int, error) {
			if len(reps) != len(s.X) {
				return nil, errors.New("wrong representations")
			}
			return pick(s), nil
		}}
}

func defendedHarness(t *testing.T) (Harness, []Scenario) {
	h, scenarios := handHarness(t, newHandModel())
	h.TrainVanilla = learnsTrigger
	h.Represent = func(_ context.Context, s Scenario) ([][]float64, error) { return s.X, nil }
	h.RepresentationName = "the features"
	h.Defences = []Defence{
		removing("all poisoned", func(s Scenario) []int { return s.Poisoned.Indices }),
		removing("nothing", func(Scenario) []int { return nil }),
		removing("one of them", func(s Scenario) []int {
			return slices.Sorted(slices.Values([]int{s.Poisoned.Indices[1], (s.Poisoned.Indices[1] + 1) % 10}))
		}),
	}
	return h, scenarios
}

// TestDefend: the vanilla classifier retrained without the poisoned rows classifies
// the fooled rows 1, 3, 4 correctly (3/3); with any poisoned row left it is fooled
// again (0/3). Removed and Caught count the rows.
func TestDefend(t *testing.T) {
	h, scenarios := defendedHarness(t)
	results, err := h.Run(context.Background(), &bytes.Buffer{}, scenarios, handTest())
	require.NoError(t, err)
	assert.Nil(t, results[0].Defended, "no defence on the clean training set")
	assert.Equal(t, []DefenceResult{
		{Name: "all poisoned", Robust: 1, Removed: 2, Caught: 2},
		{Name: "nothing", Robust: 0, Removed: 0, Caught: 0},
		{Name: "one of them", Robust: 0, Removed: 2, Caught: 1},
	}, results[1].Defended)
}

func TestDefendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Harness)
		want   string
	}{
		{"short representations", func(h *Harness) {
			h.Represent = func(context.Context, Scenario) ([][]float64, error) { return nil, nil }
		}, "one-pixel: Represent returned 0 representations for 10 training rows"},
		{"failing representation", func(h *Harness) {
			h.Represent = func(context.Context, Scenario) ([][]float64, error) { return nil, errors.New("no layer") }
		}, "one-pixel: no layer"},
		{"failing defence", func(h *Harness) {
			h.Defences[1].Flag = func(context.Context, Scenario, [][]float64) ([]int, error) { return nil, errors.New("singular") }
		}, "one-pixel: nothing: singular"},
	} {
		h, scenarios := defendedHarness(t)
		tc.change(&h)
		_, err := h.Run(context.Background(), &bytes.Buffer{}, scenarios, handTest())
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
}

// TestWriteDefences formats the comparison in the paper's column order, n/a where the
// attack fooled no row.
func TestWriteDefences(t *testing.T) {
	h, _ := defendedHarness(t)
	h.Defences = h.Defences[:2]
	results := []Result{
		{Name: "clean"},
		{Name: "one-pixel", Fooled: 3, Rows: 368, RABRobust: 0.38, CertEq19: 0.302,
			Defended: []DefenceResult{{Robust: 0.434, Removed: 1076, Caught: 308}, {Robust: 0.643, Removed: 1823, Caught: 331}}},
		{Name: "blending", Fooled: 0, Rows: 368},
	}
	var out bytes.Buffer
	require.NoError(t, h.writeDefences(&out, results))
	want := `
Empirical robust accuracy on the fooled rows, as the paper's comparison: the vanilla hand retrained on the rows each defence keeps,
the defences reading the features;
removed: the training rows each defence removed (poisoned ones among them, of the r poisoned rows).
  all poisoned removes all poisoned
  nothing   removes nothing

    pattern  vanilla    RAB  all poisoned  nothing  RAB-cert (19)    all poisoned removed  nothing removed
  one-pixel     0.0%  38.0%         43.4%    64.3%          30.2%          1076 (308/368)   1823 (331/368)
   blending      n/a    n/a           n/a      n/a            n/a                       -                -
`
	assert.Equal(t, want, out.String())

	h.Defences = nil
	out.Reset()
	require.NoError(t, h.writeDefences(&out, results))
	assert.Empty(t, out.String(), "no defences, no table")
}

// plantedScenario is a 400-row two-class training set in 6 dimensions, poisoned at 10 %
// by δ = 3·e_1 towards class 0.
func plantedScenario(t *testing.T) Scenario {
	rng := rand.New(rand.NewPCG(3, 4))
	train := dataset.Set{Classes: 2}
	for i := range 400 {
		row := make([]float64, 6)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		row[0] += 4 * float64(i%2)
		train.X, train.Y = append(train.X, row), append(train.Y, i%2)
	}
	delta := make([]float64, 6)
	delta[1] = 3
	p, err := attack.Custom(attack.Tabular(6), delta)
	require.NoError(t, err)
	a := Attack{Patterns: []attack.Pattern{p}, Norm: 3, Rate: 0.1, Target: 0, Seed: 5}
	scenarios, err := a.Scenarios(train, false)
	require.NoError(t, err)
	return scenarios[0]
}

// TestBaselines runs the paper's four baselines on features with a planted cluster 5 σ
// from its class: each removes at least three quarters of the 40 poisoned rows (Sphere
// removes only 36 rows of the target class, 15 % of 240).
func TestBaselines(t *testing.T) {
	s := plantedScenario(t)
	defences := Baselines(1)
	names := make([]string, len(defences))
	for i, d := range defences {
		names[i] = d.Name
		removed, err := d.Flag(context.Background(), s, s.X)
		require.NoError(t, err, d.Name)
		require.True(t, slices.IsSorted(removed), d.Name)
		caught := 0
		for _, i := range removed {
			if _, ok := slices.BinarySearch(s.Poisoned.Indices, i); ok {
				caught++
			}
		}
		assert.GreaterOrEqual(t, caught, 30, "%s caught %d of 40", d.Name, caught)
	}
	assert.Equal(t, []string{"AC", "Spectral", "Sphere", "SCAn"}, names, "the paper's column order")
}

// TestTrustedRows: SCAn's clean set is ⌈10 %⌉ of the rows the attack left clean, none
// poisoned, ascending, fixed by the seed.
func TestTrustedRows(t *testing.T) {
	s := plantedScenario(t)
	rows := trustedRows(s, 7)
	assert.Len(t, rows, 36, "⌈0.1 · 360⌉")
	assert.True(t, slices.IsSorted(rows))
	for _, i := range rows {
		_, poisoned := slices.BinarySearch(s.Poisoned.Indices, i)
		assert.False(t, poisoned, "row %d", i)
	}
	assert.Equal(t, rows, trustedRows(s, 7))
	assert.NotEqual(t, rows, trustedRows(s, 8))
}
