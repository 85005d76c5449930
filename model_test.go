package rab

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/knn"
	"github.com/rabcert/rab/smoothing"
)

// saved returns m's file.
func saved(t *testing.T, m *Model) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	return &buf
}

// settings is what the accessors of a Model report.
type settings struct {
	Kind           Kind
	Classes, Dim   int
	Noise          smoothing.Noise
	Alpha          float64
	K, Levels      int
	Edges          []float64
	Models         int
	Seed           uint64
	CertifiedNorm  Norm
	CertifiesInput bool
}

func settingsOf(t *testing.T, m *Model) settings {
	c, err := m.Certify(context.Background(), []float64{1, 1})
	require.NoError(t, err)
	return settings{m.Kind(), m.Classes(), m.Dim(), m.Noise(), m.Alpha(), m.K(), m.Levels(), m.Edges(), m.Models(), m.Seed(), c.Norm, !c.Abstained}
}

// TestAccessorsReportTrainingAndSurviveSaveLoad: every accessor returns what training
// was given, before and after Save → Load, for both smoothers and both noises.
func TestAccessorsReportTrainingAndSurviveSaveLoad(t *testing.T) {
	X, y := blobs(15, 15)
	gauss, err := smoothing.Gaussian(0.5)
	require.NoError(t, err)
	unif, err := smoothing.Uniform(-0.5, 0.5)
	require.NoError(t, err)
	defaultEdges, err := knn.DefaultEdges(2, 0.5, 40)
	require.NoError(t, err)
	edges := []float64{0.1, 0.5, 1, 2, 4, 8}
	cases := map[string]struct {
		opts []Option
		want settings
	}{
		"knn levels": {
			[]Option{WithKNN(3), WithSigma(0.5), WithLevels(40), WithClasses(3)},
			settings{Kind: KindKNN, Classes: 3, Dim: 2, Noise: gauss, K: 3, Levels: 40, Edges: defaultEdges, CertifiedNorm: L2, CertifiesInput: true},
		},
		"knn edges": {
			[]Option{WithKNN(5), WithSigma(0.5), WithEdges(edges)},
			settings{Kind: KindKNN, Classes: 2, Dim: 2, Noise: gauss, K: 5, Levels: 7, Edges: edges, CertifiedNorm: L2, CertifiesInput: true},
		},
		"ensemble gaussian": {
			[]Option{WithSigma(0.5), WithModels(30), WithAlpha(0.05), WithSeed(9), WithClasses(3)},
			settings{Kind: KindEnsemble, Classes: 3, Dim: 2, Noise: gauss, Alpha: 0.05, Models: 30, Seed: 9, CertifiedNorm: L2, CertifiesInput: true},
		},
		"ensemble uniform": {
			[]Option{WithUniform(-0.5, 0.5), WithModels(25), WithAlpha(0.1), WithSeed(10)},
			settings{Kind: KindEnsemble, Classes: 2, Dim: 2, Noise: unif, Alpha: 0.1, Models: 25, Seed: 10, CertifiedNorm: L1, CertifiesInput: true},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := Train(context.Background(), X, y, c.opts...)
			require.NoError(t, err)
			assert.Equal(t, c.want, settingsOf(t, m))
			loaded, err := Load(saved(t, m))
			require.NoError(t, err)
			assert.Equal(t, c.want, settingsOf(t, loaded), "after Save → Load")
			want, err := m.CertifyBatch(context.Background(), testInputs)
			require.NoError(t, err)
			got, err := loaded.CertifyBatch(context.Background(), testInputs)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			if c.want.Kind == KindEnsemble {
				other, err := Load(saved(t, m), WithAlpha(0.2))
				require.NoError(t, err)
				assert.Equal(t, 0.2, other.Alpha(), "WithAlpha overrides the saved α")
			}
		})
	}
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "knn", KindKNN.String())
	assert.Equal(t, "ensemble", KindEnsemble.String())
	assert.Equal(t, "Kind(0)", Kind(0).String())
}

// TestWithEdgesCopies: the caller's slice can change after WithEdges and after Edges
// without changing the model.
func TestWithEdgesCopies(t *testing.T) {
	X, y := blobs(10, 21)
	edges := []float64{0.5, 1, 2}
	opt := WithEdges(edges)
	edges[0] = 0.75
	m, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), opt)
	require.NoError(t, err)
	got := m.Edges()
	assert.Equal(t, []float64{0.5, 1, 2}, got)
	got[1] = 1.5
	assert.Equal(t, []float64{0.5, 1, 2}, m.Edges())
}
