package defense

import (
	"context"
	"slices"
)

// ActivationClustering is the activation-clustering defence of Chen et al.
// ("Detecting Backdoor Attacks on Deep Neural Networks by Activation Clustering",
// SafeAI@AAAI 2019, Section 4), as in IBM's Adversarial Robustness Toolbox (ART). For
// each class c it
//
//  1. reduces the representations to their first k principal components
//     (WithDims, default DefaultDims = 10; representations of at most k features are
//     used as they are, as ART does; WithWhitening scales each component to unit
//     variance, which reproduces the clusters of ART's FastICA reduction);
//  2. splits them into two clusters by k-means: k-means++ seeding from a PCG stream
//     fixed by WithSeed, the class and the restart, Lloyd's iterations to a fixed
//     point, the lowest inertia Σ‖z_i − μ_{cluster(i)}‖² of WithRestarts
//     initialisations (default DefaultRestarts);
//  3. flags the smaller cluster if its share of the class is below the size threshold
//     t (WithSizeThreshold, default DefaultSizeThreshold = 0.35; two clusters of equal
//     size flag nothing).
//
// Result.Groups holds each row's cluster (0 the larger, 1 the smaller) and
// Result.Scores the share of its class outside the row's cluster, 1 − |cluster|/n_c:
// a row is flagged exactly when its score exceeds 1 − t.
//
// ART decides which clusters are poisonous by one of four analyses. "smaller" (the
// default of ActivationDefence) flags the smaller cluster of every class whatever its
// size: WithSizeThreshold(0.5). "relative-size" flags clusters holding less than
// size_threshold = 0.35 of their class: this function's default (ART rounds the
// shares to 2 decimals first; this function compares them exactly). "silhouette-scores" does so only when the class's mean
// silhouette score exceeds 0.1, and "distance" flags a cluster whose median is closer
// to another class's median than to its own class's.
//
// X holds the representations of the training rows and y their labels; neither is
// modified. The result depends on the seed, never on WithWorkers.
func ActivationClustering(ctx context.Context, X [][]float64, y []int, opts ...ClusteringOption) (*Result, error) {
	ds, cfg, err := prepare(ctx, "ActivationClustering", X, y, opts, ClusteringOption.applyClustering)
	if err != nil {
		return nil, err
	}
	res := newResult(len(X))
	res.Groups = make([]int, len(X))
	flagged := make([][]int, len(ds.byClass))
	err = ds.forEachClass(ctx, cfg.workers, func(k int) error {
		c := ds.byClass[k]
		A, _ := ds.centred(c)
		Z, err := reduce(A, cfg.dims, cfg.whiten)
		if err != nil {
			return err
		}
		n, dim := Z.Dims()
		pts := points{z: make([]float64, 0, n*dim), n: n, dim: dim}
		for r := range n {
			pts.z = append(pts.z, Z.RawRowView(r)...)
		}
		groups, sizes := canonical(kmeans(pts, 2, cfg.restarts, cfg.seed, c.label))
		for r, i := range c.rows {
			res.Groups[i] = groups[r]
			res.Scores[i] = 1 - float64(sizes[groups[r]])/float64(n)
		}
		if sizes[1] < sizes[0] && float64(sizes[1]) < cfg.threshold*float64(n) {
			for r, i := range c.rows {
				if groups[r] == 1 {
					flagged[k] = append(flagged[k], i)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res.finish(flagged), nil
}

// canonical returns the labels of a two-cluster partition renamed so that cluster 0
// is the larger one (on equal sizes, the first point's), and the sizes.
func canonical(c clustering) ([]int, [2]int) {
	labels, sizes := slices.Clone(c.labels), [2]int{c.sizes[0], c.sizes[1]}
	if sizes[1] > sizes[0] || (sizes[1] == sizes[0] && labels[0] == 1) {
		for i, l := range labels {
			labels[i] = 1 - l
		}
		sizes[0], sizes[1] = sizes[1], sizes[0]
	}
	return labels, sizes
}
