package defense

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference is testdata/reference.json, written by testdata/gen_reference.py with
// numpy and scikit-learn (see the script for what each value is).
type reference struct {
	X               [][]float64
	Y               []int
	Planted         []int
	CleanX          [][]float64
	CleanY          []int
	Dims            int
	Eps             float64
	SpectralScores  []float64
	SpectralFlagged []int
	SphereScores    []float64
	Classes         []struct {
		Rows           []int
		PCA            [][]float64
		WhitenedPCA    [][]float64
		KmeansLabels   []int
		KmeansSizes    []int
		KmeansCentres  [][]float64
		KmeansInertia  float64
		WhitenedLabels []int
		IcaLabels      []int
	}
	ScanGroups []int
	ScanScores []float64
	ScanJ      []float64
}

func loadReference(t *testing.T) reference {
	t.Helper()
	raw, err := os.ReadFile("testdata/reference.json")
	require.NoError(t, err)
	var ref reference
	require.NoError(t, json.Unmarshal(raw, &ref))
	return ref
}

// referenceTolerance is the agreement asked of every value: |got − want| ≤
// 10⁻⁹·max(1, |want|). Both sides are double precision computations of the same
// quantities by different LAPACK routines (gonum's Go port, OpenBLAS/LAPACK), so they
// agree to about 10⁻¹³ on this well-conditioned matrix; 10⁻⁹ is the bar.
const referenceTolerance = 1e-9

func assertClose(t *testing.T, want, got float64, what string, args ...any) {
	t.Helper()
	assert.LessOrEqual(t, math.Abs(got-want), referenceTolerance*max(1, math.Abs(want)), append([]any{what + ": want %v, got %v"}, append(args, want, got)...)...)
}

func TestSpectralSignaturesMatchesNumpy(t *testing.T) {
	ref := loadReference(t)
	res, err := SpectralSignatures(context.Background(), ref.X, ref.Y, WithPoisonRate(ref.Eps))
	require.NoError(t, err)
	for i, want := range ref.SpectralScores {
		assertClose(t, want, res.Scores[i], "score of row %d", i)
	}
	assert.Equal(t, ref.SpectralFlagged, res.Flagged)
}

func TestReduceMatchesScikitLearnPCA(t *testing.T) {
	ref := loadReference(t)
	ds, _, err := prepare(context.Background(), "test", ref.X, ref.Y, []Option{}, Option.applySphere)
	require.NoError(t, err)
	for k, c := range ds.byClass {
		want := ref.Classes[k]
		require.Equal(t, want.Rows, c.rows)
		for _, whiten := range []bool{false, true} {
			A, _ := ds.centred(c)
			Z, err := reduce(A, ref.Dims, whiten)
			require.NoError(t, err)
			wantZ, unit := want.PCA, 1/ds.scale // the scores are homogeneous of degree 1
			if whiten {
				wantZ, unit = want.WhitenedPCA, 1
			}
			n, dims := Z.Dims()
			require.Equal(t, len(c.rows), n)
			require.Equal(t, ref.Dims, dims)
			for r := range n {
				for j := range dims {
					assertClose(t, wantZ[r][j], Z.At(r, j)*unit, "class %d row %d component %d whitened %v", c.label, r, j, whiten)
				}
			}
		}
	}
}

func TestKMeansMatchesScikitLearn(t *testing.T) {
	ref := loadReference(t)
	for k, want := range ref.Classes {
		pts := points{n: len(want.PCA), dim: ref.Dims}
		for _, row := range want.PCA {
			pts.z = append(pts.z, row...)
		}
		km := kmeans(pts, 2, referenceRestarts, 0, k)
		labels, sizes := canonical(km)
		assert.Equal(t, want.KmeansLabels, labels, "class %d", k)
		assert.Equal(t, want.KmeansSizes, sizes[:], "class %d", k)
		assertClose(t, want.KmeansInertia, km.inertia, "class %d inertia", k)
		for g := range 2 {
			centre := km.centre(g)
			if km.labels[0] != labels[0] { // canonical swapped the clusters
				centre = km.centre(1 - g)
			}
			for j, v := range want.KmeansCentres[g] {
				assertClose(t, v, centre[j], "class %d centre %d coordinate %d", k, g, j)
			}
		}
	}
}

func TestActivationClusteringMatchesScikitLearn(t *testing.T) {
	ref := loadReference(t)
	for _, whiten := range []bool{false, true} {
		opts := []ClusteringOption{WithDims(ref.Dims), WithRestarts(referenceRestarts)}
		if whiten {
			opts = append(opts, WithWhitening())
		}
		res, err := ActivationClustering(context.Background(), ref.X, ref.Y, opts...)
		require.NoError(t, err)
		for _, c := range ref.Classes {
			want := c.KmeansLabels
			if whiten {
				// k-means on ART's FastICA components finds the same partition.
				require.Equal(t, c.WhitenedLabels, c.IcaLabels, "the reference itself")
				want = c.WhitenedLabels
			}
			for r, i := range c.Rows {
				assert.Equal(t, want[r], res.Groups[i], "row %d whitened %v", i, whiten)
			}
		}
	}
	res, err := ActivationClustering(context.Background(), ref.X, ref.Y)
	require.NoError(t, err)
	assert.Equal(t, ref.Planted, res.Flagged, "the planted cluster, 8 of 40 rows of class 0, is all AC flags")
}

func TestSphereMatchesScikitLearn(t *testing.T) {
	ref := loadReference(t)
	res, err := Sphere(context.Background(), ref.X, ref.Y, WithDims(ref.Dims))
	require.NoError(t, err)
	for i, want := range ref.SphereScores {
		assertClose(t, want, res.Scores[i], "distance of row %d", i)
	}
}

func TestSCAnMatchesNumpy(t *testing.T) {
	ref := loadReference(t)
	res, err := SCAn(context.Background(), ref.CleanX, ref.CleanY, ref.X, ref.Y)
	require.NoError(t, err)
	for c, want := range ref.ScanJ {
		assertClose(t, want, res.ClassScores[c], "J of class %d", c)
	}
	assert.Equal(t, ref.ScanGroups, res.Groups)
	for i, want := range ref.ScanScores {
		assertClose(t, want, res.Scores[i], "discriminant of row %d", i)
	}
}

// referenceRestarts matches KMEANS_RESTARTS of gen_reference.py: enough k-means++
// restarts for both implementations to reach the global optimum of the 2-means
// objective, which is unique, while each restart may stop in a local one.
const referenceRestarts = 10000
