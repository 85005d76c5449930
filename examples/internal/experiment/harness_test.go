package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/internal/dataset"
)

// The evaluation test's test set: row i is (i, 0, 0) with label testLabels[i]. The
// trigger δ = 0.5 on feature 2 goes to the rows not of the target 0: rows 1–4.
var testLabels = []int{0, 1, 1, 2, 1}

func handTest() dataset.Set {
	s := dataset.Set{Y: testLabels, Classes: 3}
	for i := range testLabels {
		s.X = append(s.X, []float64{float64(i), 0, 0})
	}
	return s
}

// handVanilla predicts [0, 1, 0, 2, 1] on the clean rows (row 2 wrong: 4/5) and on
// triggered rows the target 0, except on row 2, which it still calls 1: it is fooled
// on rows 1, 3 and 4.
func handVanilla(X [][]float64) ([]int, error) {
	clean := []int{0, 1, 0, 2, 1}
	out := make([]int, len(X))
	for i, x := range X {
		id := int(x[0])
		switch {
		case x[2] == 0:
			out[i] = clean[id]
		case id == 2:
			out[i] = 1
		}
	}
	return out, nil
}

// handModel certifies row i by a table, one for clean rows and one for triggered rows,
// and records which rows it was asked for.
type handModel struct {
	clean, triggered map[int]rab.Certificate
	asked            [][]int
}

func (m *handModel) CertifyBatch(_ context.Context, X [][]float64) ([]rab.Certificate, error) {
	var ids []int
	var certs []rab.Certificate
	for _, x := range X {
		id := int(x[0])
		table := m.clean
		if x[2] != 0 {
			table = m.triggered
		}
		c, ok := table[id]
		if !ok {
			return nil, fmt.Errorf("row %d (triggered: %v) has no certificate", id, x[2] != 0)
		}
		ids = append(ids, id)
		certs = append(certs, c)
	}
	m.asked = append(m.asked, ids)
	return certs, nil
}

// newHandModel: on clean rows, classes [0, 1, 1, 1, 0] against labels [0, 1, 1, 2, 1]
// (3/5 correct); correct and R > 0.1 on rows 0 and 2 only (row 1's radius is 0.05,
// row 4 abstains): 2/5. On the fooled rows 1, 3, 4 (labels 1, 2, 1): rows 1 and 3 are
// correct (2/3), with radii 0.6 and 0.8 above ‖δ‖ = 0.5 (2/3), and only row 3's above
// √(2·0.5²) ≈ 0.7071 (1/3).
func newHandModel() *handModel {
	return &handModel{
		clean: map[int]rab.Certificate{
			0: {Class: 0, Radius: 0.3}, 1: {Class: 1, Radius: 0.05}, 2: {Class: 1, Radius: 1},
			3: {Class: 1, Radius: 2}, 4: {Class: 0, Abstained: true},
		},
		triggered: map[int]rab.Certificate{1: {Class: 1, Radius: 0.6}, 3: {Class: 2, Radius: 0.8}, 4: {Class: 0, Radius: 0.9}},
	}
}

// handHarness poisons r = ⌊0.2·10⌋ = 2 training rows with δ = 0.5 on feature 2 of 3.
func handHarness(t *testing.T, model *handModel) (Harness, []Scenario) {
	p, err := attack.OnePixelFeatures(3, 2, 0.5)
	require.NoError(t, err)
	train := dataset.Set{Classes: 2}
	for i := range 10 {
		train.X = append(train.X, []float64{float64(i) / 10, 0, 0})
		train.Y = append(train.Y, i%2)
	}
	h := Harness{
		Attack:       Attack{Patterns: []attack.Pattern{p}, Norm: 0.1, Rate: 0.2, Target: 0, Seed: 1},
		VanillaName:  "hand",
		TrainVanilla: func(context.Context, Scenario) (Classifier, error) { return handVanilla, nil },
		TrainRAB:     func(context.Context, Scenario) (Certifier, error) { return model, nil },
	}
	scenarios, err := h.Attack.Scenarios(train, true)
	require.NoError(t, err)
	return h, scenarios
}

func TestEvaluate(t *testing.T) {
	model := newHandModel()
	h, scenarios := handHarness(t, model)
	var table bytes.Buffer
	results, err := h.Run(context.Background(), &table, scenarios, handTest())
	require.NoError(t, err)
	require.Len(t, results, 2)
	var want bytes.Buffer
	require.NoError(t, h.WriteTable(&want, results))
	assert.Equal(t, want.String(), table.String())
	cleanCerts := []rab.Certificate{model.clean[0], model.clean[1], model.clean[2], model.clean[3], model.clean[4]}

	wantClean := Result{Name: "clean", VanillaAcc: 0.8, RABAcc: 0.6, CleanCerts: cleanCerts, CleanCertAtNorm: 0.4}
	assert.Equal(t, wantClean, results[0])
	assert.False(t, results[0].Attacked())

	got := results[1]
	assert.InDelta(t, 0.5, got.SingleNorm, 1e-12)
	assert.InDelta(t, 0.5*math.Sqrt2, got.TotalNorm, 1e-12)
	assert.GreaterOrEqual(t, got.TotalNorm, got.SingleNorm*math.Sqrt2, "TotalNorm is rounded up")
	wantAttack := Result{Name: "one-pixel", VanillaAcc: 0.8, RABAcc: 0.6, CleanCerts: cleanCerts, CleanCertAtNorm: 0.4,
		Triggered: 4, Fooled: 3, FooledLabels: []int{1, 2, 1},
		FooledCerts:   []rab.Certificate{model.triggered[1], model.triggered[3], model.triggered[4]},
		VanillaRobust: 0, RABRobust: 2.0 / 3, CertEq19: 2.0 / 3, CertAttack: 1.0 / 3,
		Rows: 2, SingleNorm: got.SingleNorm, TotalNorm: got.TotalNorm}
	assert.Equal(t, wantAttack, got)
	assert.True(t, got.Attacked())
	assert.Equal(t, [][]int{{0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}, {1, 3, 4}}, model.asked,
		"clean rows once per scenario, then only the fooled triggered rows")
}

// TestEvaluateLabelFlips: CertFlips counts the fooled rows whose certificate keeps
// FlipRadius(r) > √Σ‖δ_i‖² ≈ 0.7071 with the r = 2 poisoned rows relabelled: row 3
// (0.75, and correct), not row 1 (no label flips certified).
func TestEvaluateLabelFlips(t *testing.T) {
	model := newHandModel()
	c := model.triggered[3]
	c.LabelFlips = &rab.LabelFlips{Shift: []float64{0.01, 0.02}, Radius: []float64{0.78, 0.75}}
	model.triggered[3] = c
	h, scenarios := handHarness(t, model)
	h.LabelFlips = true
	got, err := h.Evaluate(context.Background(), scenarios[1], handTest())
	require.NoError(t, err)
	assert.InDelta(t, 1.0/3, got.CertFlips, 1e-15)
	assert.InDelta(t, 1.0/3, got.CertAttack, 1e-15)
}

// TestEvaluateUntriggered: a vanilla classifier that calls every row 0 is "fooled" on
// every triggered row (1–4), and on every one of them without the trigger too.
func TestEvaluateUntriggered(t *testing.T) {
	model := newHandModel()
	model.triggered[2] = rab.Certificate{Class: 1, Radius: 0.7}
	h, scenarios := handHarness(t, model)
	h.TrainVanilla = func(context.Context, Scenario) (Classifier, error) {
		return func(X [][]float64) ([]int, error) { return make([]int, len(X)), nil }, nil
	}
	got, err := h.Evaluate(context.Background(), scenarios[1], handTest())
	require.NoError(t, err)
	assert.Equal(t, 4, got.Fooled)
	assert.Equal(t, 4, got.FooledUntriggered)
	assert.Equal(t, []int{1, 1, 2, 1}, got.FooledLabels)
	assert.InDelta(t, 0.75, got.RABRobust, 1e-15, "rows 1, 2 and 3 of 4 correct")
}

// TestEvaluateAllToAll: every test row is triggered, and a row fools the vanilla
// classifier when it is assigned (y+1) mod 3. handVanilla calls the triggered rows
// 0 (row 2: 1): row 0 (label 0, target 1) is not fooled, row 3 (label 2, target 0) is;
// rows 1 and 4 (label 1, target 2) are not, nor is row 2.
func TestEvaluateAllToAll(t *testing.T) {
	model := newHandModel()
	h, scenarios := handHarness(t, model)
	h.Attack.AllToAll, h.Attack.Classes = true, 3
	scenarios, err := h.Attack.Scenarios(dataset.Set{X: scenarios[0].X, Y: scenarios[0].Y}, false)
	require.NoError(t, err)
	for _, i := range scenarios[0].Poisoned.Indices {
		assert.Equal(t, (i%2+1)%3, scenarios[0].Y[i], "row %d relabelled (y+1) mod 3", i)
	}
	got, err := h.Evaluate(context.Background(), scenarios[0], handTest())
	require.NoError(t, err)
	assert.Equal(t, 5, got.Triggered)
	assert.Equal(t, 1, got.Fooled)
	assert.Equal(t, []int{2}, got.FooledLabels)
	assert.Equal(t, []rab.Certificate{model.triggered[3]}, got.FooledCerts)
	var out bytes.Buffer
	require.NoError(t, h.WriteTable(&out, []Result{got}))
	assert.Contains(t, out.String(), "all-to-all, label y relabelled (y+1) mod 3")
	assert.Contains(t, out.String(), "that the vanilla hand assigns to (y+1) mod 3")
}

// TestEvaluateVariants: each variant certifies the same rows as the model, and its
// measurements are its own.
func TestEvaluateVariants(t *testing.T) {
	model := newHandModel()
	h, scenarios := handHarness(t, model)
	other := newHandModel() // every clean row abstains; triggered rows all correct, R = 1
	for i, c := range other.clean {
		other.clean[i] = rab.Certificate{Class: c.Class, Abstained: true}
	}
	for i := range other.triggered {
		other.triggered[i] = rab.Certificate{Class: testLabels[i], Radius: 1}
	}
	h.Variants = []Variant{{Name: "other", Of: func(c Certifier) (Certifier, error) {
		assert.Same(t, model, c)
		return other, nil
	}}}
	results, err := h.Run(context.Background(), io.Discard, scenarios, handTest())
	require.NoError(t, err)
	plain, _ := handHarness(t, newHandModel())
	want, err := plain.Evaluate(context.Background(), scenarios[1], handTest())
	require.NoError(t, err)
	got := results[1]
	require.Len(t, got.Variants, 1)
	v := got.Variants[0]
	got.Variants = nil
	assert.Equal(t, want, got, "the model's own measurements are unchanged")
	assert.Equal(t, "other", v.Name)
	assert.InDelta(t, 0.6, v.RABAcc, 1e-15)
	assert.Zero(t, v.CleanCertAtNorm)
	assert.Equal(t, 1.0, v.RABRobust)
	assert.Equal(t, 1.0, v.CertEq19)
	assert.Equal(t, 1.0, v.CertAttack)
	assert.Equal(t, model.asked, other.asked, "the same rows")

	h.Variants[0].Of = func(Certifier) (Certifier, error) { return nil, errors.New("no view") }
	_, err = h.Run(context.Background(), io.Discard, scenarios, handTest())
	assert.ErrorContains(t, err, "clean: other: no view")
}

// TestEvaluateNoneFooled: a vanilla classifier the trigger never fools leaves the
// rates over the fooled rows at 0 and certifies nothing more.
func TestEvaluateNoneFooled(t *testing.T) {
	model := newHandModel()
	h, scenarios := handHarness(t, model)
	h.TrainVanilla = func(context.Context, Scenario) (Classifier, error) {
		return func(X [][]float64) ([]int, error) { return make([]int, len(X)), nil }, nil // always 0…
	}
	h.Attack.Target = 2 // …which is not the target now: rows 0, 1, 2, 4 are triggered
	got, err := h.Evaluate(context.Background(), scenarios[1], handTest())
	require.NoError(t, err)
	assert.Equal(t, 4, got.Triggered)
	assert.Equal(t, 0, got.Fooled)
	assert.Zero(t, got.RABRobust+got.CertEq19+got.CertAttack)
	assert.Equal(t, 2, got.Rows)
	assert.Len(t, model.asked, 1, "only the clean rows are certified")
}

func TestRunErrors(t *testing.T) {
	ctx := context.Background()
	fail := errors.New("no GPU")
	for _, tc := range []struct {
		name   string
		change func(*Harness)
		want   string
	}{
		{"vanilla training", func(h *Harness) {
			h.TrainVanilla = func(context.Context, Scenario) (Classifier, error) { return nil, fail }
		}, "clean: no GPU"},
		{"RAB training", func(h *Harness) {
			h.TrainRAB = func(context.Context, Scenario) (Certifier, error) { return nil, fail }
		}, "clean: no GPU"},
		{"short prediction", func(h *Harness) {
			h.TrainVanilla = func(context.Context, Scenario) (Classifier, error) {
				return func([][]float64) ([]int, error) { return []int{0}, nil }, nil
			}
		}, "clean: vanilla classifier returned 1 predictions for 5 rows"},
		{"short certification", func(h *Harness) {
			h.TrainRAB = func(context.Context, Scenario) (Certifier, error) { return oneCert{}, nil }
		}, "clean: RAB model returned 1 certificates for 5 rows"},
		{"missing certificate", func(h *Harness) {
			m := newHandModel()
			delete(m.triggered, 4)
			h.TrainRAB = func(context.Context, Scenario) (Certifier, error) { return m, nil }
		}, "one-pixel: row 4 (triggered: true) has no certificate"},
	} {
		h, scenarios := handHarness(t, newHandModel())
		tc.change(&h)
		var out bytes.Buffer
		_, err := h.Run(ctx, &out, scenarios, handTest())
		assert.ErrorContains(t, err, tc.want, tc.name)
		assert.Empty(t, out.String(), "%s: no table", tc.name)
	}
}

// oneCert returns one certificate however many rows it is given.
type oneCert struct{}

func (oneCert) CertifyBatch(context.Context, [][]float64) ([]rab.Certificate, error) {
	return []rab.Certificate{{}}, nil
}
