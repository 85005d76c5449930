package rab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
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

// hashes is what DataSHA256 and MemberSHA256 report of a model: the data hash (nil if
// unknown) and every member's hash, up to and including the first k that reports none.
type hashes struct {
	Data    *[sha256.Size]byte
	Members [][sha256.Size]byte
}

func hashesOf(m *Model) hashes {
	var h hashes
	if sum, ok := m.DataSHA256(); ok {
		h.Data = &sum
	}
	for k := 0; ; k++ {
		sum, ok := m.MemberSHA256(k)
		if !ok {
			return h
		}
		h.Members = append(h.Members, sum)
	}
}

// TestModelHashes: the K-NN smoother reports ensemble.DataSHA256 of its training
// data; an ensemble reports the same and its members' hashes, the same whether rab.Train
// trained it or ensemble.Merge assembled it from shards; the values survive Save →
// Load; an ensemble of FromModels has no data hash; an empty Model reports none.
func TestModelHashes(t *testing.T) {
	X, y := blobs(12, 16)
	want := ensemble.DataSHA256(X, y)
	kn, err := Train(context.Background(), X, y, WithKNN(3), WithSigma(0.5))
	require.NoError(t, err)
	trained, err := Train(context.Background(), X, y, WithSigma(0.5), WithModels(24), WithSeed(4))
	require.NoError(t, err)

	learner, err := logistic.New()
	require.NoError(t, err)
	noise, err := smoothing.Gaussian(0.5)
	require.NoError(t, err)
	var shards []*ensemble.Shard
	for _, r := range [][2]int{{0, 10}, {10, 24}} {
		sh, err := ensemble.TrainShard(context.Background(), X, y, learner, noise, r[0], r[1], ensemble.WithModels(24), ensemble.WithSeed(4))
		require.NoError(t, err)
		shards = append(shards, sh)
	}
	e, err := ensemble.Merge(shards...)
	require.NoError(t, err)
	merged, err := FromEnsemble(e)
	require.NoError(t, err)

	h := hashesOf(kn)
	assert.Equal(t, hashes{Data: &want}, h, "K-NN: the data hash, no members")
	h = hashesOf(trained)
	assert.Equal(t, &want, h.Data, "an ensemble trained on the same data has the K-NN smoother's hash")
	require.Len(t, h.Members, 24)
	for k, sum := range h.Members {
		b, err := e.Models()[k].MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, sha256.Sum256(b), sum, "member %d", k)
	}
	assert.Equal(t, h, hashesOf(merged), "Train and Merge")
	file, err := io.ReadAll(saved(t, trained))
	require.NoError(t, err)
	mergedFile, err := io.ReadAll(saved(t, merged))
	require.NoError(t, err)
	assert.Equal(t, file, mergedFile, "Train and Merge write the same file")
	_, ok := trained.MemberSHA256(-1)
	assert.False(t, ok)
	for _, m := range []*Model{kn, trained, merged} {
		loaded, err := Load(saved(t, m))
		require.NoError(t, err)
		assert.Equal(t, hashesOf(m), hashesOf(loaded), "after Save → Load")
	}

	models := e.Models()[:20]
	fromModels, err := ensemble.FromModels(models, noise, 2)
	require.NoError(t, err)
	elsewhere, err := FromEnsemble(fromModels)
	require.NoError(t, err)
	h = hashesOf(elsewhere)
	assert.Nil(t, h.Data, "FromModels: the training data is unknown")
	assert.Equal(t, hashesOf(trained).Members[:20], h.Members)
	loaded, err := Load(saved(t, elsewhere))
	require.NoError(t, err)
	assert.Equal(t, h, hashesOf(loaded))

	for _, m := range []*Model{nil, {}} {
		sum, ok := m.DataSHA256()
		assert.False(t, ok)
		assert.Zero(t, sum)
		sum, ok = m.MemberSHA256(0)
		assert.False(t, ok)
		assert.Zero(t, sum)
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
