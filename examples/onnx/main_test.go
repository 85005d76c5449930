package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"regexp"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/bound"
)

// TestSmoke runs the whole example on the first 40 test rows and checks the report's
// structure and the values the committed members must reach.
func TestSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.testRows = 40
	var out bytes.Buffer
	require.NoError(t, cfg.Run(context.Background(), &out, nil))
	text := out.String()
	for _, want := range []string{"100 members", "N(0, 0.25²I)", "Test: 40 held-out digits rows; α = 0.001",
		"certifies at most R = 0.329", "Four-pixel trigger, ‖δ‖₂ = 0.1", "r  ‖δ‖·√r  certified"} {
		assert.Contains(t, text, want)
	}
	acc := parseFloats(t, text, `smoothed accuracy (\d\.\d+)`)
	require.Len(t, acc, 2, "clean and triggered accuracy")
	assert.Greater(t, acc[0], 0.9, "clean accuracy of the smoothed classifier")
	assert.Greater(t, acc[1], 0.9, "accuracy on triggered rows")
	abstain := parseFloats(t, text, `abstention rate\s+(\d\.\d+)`)
	require.Len(t, abstain, 1)
	assert.Less(t, abstain[0], 0.2)

	certified := parseFloats(t, text, `(?m)^\s+0\.\d\d\s+(\d\.\d{3})$`)
	require.Len(t, certified, len(radii))
	assert.InDelta(t, 1-abstain[0], certified[0], 0.1+1e-9, "at radius 0 almost every certified row is correct")
	assert.Greater(t, certified[2], 0.6, "certified accuracy at radius 0.1")
	for i := 1; i < len(certified); i++ {
		assert.LessOrEqual(t, certified[i], certified[i-1], "certified accuracy never grows with the radius")
	}
	assert.LessOrEqual(t, certified[0], acc[0])
	pattern := parseFloats(t, text, `(?m)^\s+\d+\s+\d\.\d{3}\s+(\d\.\d{3})$`)
	require.Len(t, pattern, len(poisonedRows))
	for i := 1; i < len(pattern); i++ {
		assert.LessOrEqual(t, pattern[i], pattern[i-1], "more poisoned rows, fewer certificates")
	}
}

// parseFloats returns the first submatch of every match of expr in text, as numbers.
func parseFloats(t *testing.T, text, expr string) []float64 {
	t.Helper()
	var out []float64
	for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(text, -1) {
		v, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

// TestMembersMatchNumpy runs every member without noise on all test rows and compares
// its number of correct predictions with numpy's (members/gen.py, float64 arithmetic on
// the float32 weights). onnx-go computes in float32, so a row whose top two scores lie
// within float32 rounding could flip; allow one such row per member. On the committed
// files (x86-64) every count agrees exactly.
func TestMembersMatchNumpy(t *testing.T) {
	m, err := readManifest(members)
	require.NoError(t, err)
	test, err := testSet(m)
	require.NoError(t, err)
	models, err := loadMembers(members, m)
	require.NoError(t, err)
	pred := make([]int, len(test.X))
	for k, model := range models {
		require.NoError(t, model.Predict(test.X, pred))
		correct := 0
		for i, p := range pred {
			if p == test.Y[i] {
				correct++
			}
		}
		assert.InDelta(t, m.MemberTestCorrect[k], correct, 1, "member %d", k)
		assert.Greater(t, float64(correct)/float64(len(test.X)), 0.9, "member %d noise-free accuracy", k)
	}
}

// TestCertifyMatchesEstimate checks certify (rab.FromEnsemble) against the ensemble's
// own estimation step, row by row: the same class, bounds and Corollary 1 radius.
func TestCertifyMatchesEstimate(t *testing.T) {
	ctx := context.Background()
	m, err := readManifest(members)
	require.NoError(t, err)
	test, err := testSet(m)
	require.NoError(t, err)
	e, err := newEnsemble(members, m, 0)
	require.NoError(t, err)
	X := test.X[:40] // two of CertifyBatch's chunks
	certs, err := certify(ctx, config{alpha: 0.001}, e, X, "")
	require.NoError(t, err)
	require.Len(t, certs, len(X))
	best, err := unanimousRadius(e, 0.001)
	require.NoError(t, err)
	for i, x := range X {
		est, err := e.Estimate(ctx, x, 0.001)
		require.NoError(t, err)
		assert.Equal(t, est.Class, certs[i].Class, "row %d", i)
		assert.Equal(t, est.PA, certs[i].PA, "row %d", i)
		assert.Equal(t, est.PB, certs[i].PB, "row %d", i)
		assert.Equal(t, est.Abstain, certs[i].Abstained, "row %d", i)
		if !est.Abstain {
			r, err := bound.GaussianRadius(m.Sigma, est.PA, est.PB)
			require.NoError(t, err)
			assert.Equal(t, r, certs[i].Radius, "row %d", i)
			assert.LessOrEqual(t, certs[i].Radius, best, "row %d", i)
		}
	}
}

// TestManifestRejected checks that manifests which do not describe the data, and
// member sets that do not match the manifest, are errors.
func TestManifestRejected(t *testing.T) {
	m, err := readManifest(members)
	require.NoError(t, err)
	edit := func(change func(*manifest)) manifest {
		c := m
		c.TestIndices = append([]int(nil), m.TestIndices...)
		c.TestLabels = append([]int(nil), m.TestLabels...)
		change(&c)
		return c
	}
	for _, tc := range []struct {
		name   string
		change func(*manifest)
		want   string
	}{
		{"index twice", func(c *manifest) { c.TestIndices[1], c.TestLabels[1] = c.TestIndices[0], c.TestLabels[0] }, "listed twice"},
		{"index too big", func(c *manifest) { c.TestIndices[0] = 1797 }, "test index 1797 outside [0, 1797)"},
		{"negative index", func(c *manifest) { c.TestIndices[0] = -1 }, "test index -1 outside"},
		{"wrong label", func(c *manifest) { c.TestLabels[0] = (c.TestLabels[0] + 1) % 10 }, "in the data but"},
		{"wrong count", func(c *manifest) { c.TrainRows++ }, "359 test + 1439 training rows, but the digits have 1797"},
		{"wrong classes", func(c *manifest) { c.Classes = 9 }, "9 classes, but the digits have 10"},
	} {
		_, err := testSet(edit(tc.change))
		assert.ErrorContains(t, err, tc.want, tc.name)
	}

	for _, tc := range []struct {
		name   string
		change func(*manifest)
		want   string
	}{
		{"sigma 0", func(c *manifest) { c.Sigma = 0 }, "σ = 0: want σ > 0"},
		{"no scale", func(c *manifest) { c.Scale = 0 }, "scale = 0"},
		{"one class", func(c *manifest) { c.Classes = 1 }, "1 classes: want at least 2"},
		{"labels missing", func(c *manifest) { c.TestLabels = c.TestLabels[1:] }, "359 test indices and 358 labels"},
		{"accuracies missing", func(c *manifest) { c.MemberTestCorrect = c.MemberTestCorrect[1:] }, "100 members but 99 test accuracies"},
	} {
		data, err := json.Marshal(edit(tc.change))
		require.NoError(t, err)
		_, err = readManifest(fstest.MapFS{"members/manifest.json": {Data: data}})
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
	_, err = readManifest(fstest.MapFS{"members/manifest.json": {Data: []byte("{")}})
	assert.ErrorContains(t, err, "members/manifest.json", "truncated JSON")

	one, err := fs.ReadFile(members, "members/member_0000.onnx")
	require.NoError(t, err)
	few := fstest.MapFS{"members/member_0000.onnx": {Data: one}}
	_, err = loadMembers(few, m)
	assert.ErrorContains(t, err, "1 ONNX files but the manifest lists 100 members")
	corrupt := fstest.MapFS{"members/member_0000.onnx": {Data: one[:len(one)/2]}}
	_, err = loadMembers(corrupt, m)
	assert.ErrorContains(t, err, "members/member_0000.onnx")
}

// TestRunRejectsBadSettings checks flag validation and the ensemble-size check, which
// both fail before anything is written, and cancellation.
func TestRunRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*config)
		want   string
	}{
		{"alpha 0", func(c *config) { c.alpha = 0 }, "-alpha 0: want 0 < α < 1"},
		{"alpha 1", func(c *config) { c.alpha = 1 }, "-alpha 1: want 0 < α < 1"},
		{"negative rows", func(c *config) { c.testRows = -1 }, "-test-rows -1"},
		{"negative workers", func(c *config) { c.workers = -1 }, "-workers -1"},
		{"negative trigger", func(c *config) { c.triggerNorm = -0.1 }, "-trigger-norm -0.1"},
		// bound.MinVotes(1e-60, 10) = 204: (5e-62)^(1/N) > 1/2 needs N > log₂(2e61) ≈ 203.6.
		{"too few for α", func(c *config) { c.alpha = 1e-60 }, "100 models are too few for α = 1e-60 and 10 classes: fewer than 204 models can only ever abstain"},
	} {
		cfg := defaultConfig()
		tc.change(&cfg)
		var out bytes.Buffer
		assert.ErrorContains(t, cfg.Run(context.Background(), &out, nil), tc.want, tc.name)
		assert.Empty(t, out.String(), tc.name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := defaultConfig()
	cfg.testRows = 5
	assert.ErrorIs(t, cfg.Run(ctx, &bytes.Buffer{}, nil), context.Canceled)
}
