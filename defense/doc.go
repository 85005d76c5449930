// Package defense implements the empirical backdoor defences that the RAB paper
// (Weber et al., "RAB: Provable Robustness Against Backdoor Attacks", IEEE S&P 2023,
// Section 7.1.3, Tables 1, 2 and C.3–C.6) compares RAB with: each finds the training
// rows it takes for poisoned, so that a caller retrains on the rest. They give no
// guarantee — RAB's certificates do — and they are here so that the comparison the
// paper makes can be run.
//
//   - [SpectralSignatures] (Tran, Li and Madry, NeurIPS 2018): per class, the squared
//     projection on the top singular vector of the centred representations; removes
//     the top 1.5·ε of each class.
//   - [ActivationClustering] (Chen et al., SafeAI 2019, as in IBM's Adversarial
//     Robustness Toolbox, ART): per class, PCA to 10 dimensions and 2-means; flags
//     the smaller cluster when it holds less than 35 % of its class.
//   - [Sphere] (Steinhardt, Koh and Liang, NeurIPS 2017): per class, the distance from
//     the centroid after PCA; removes the top 15 % of each class.
//   - [SCAn] (Tang et al., USENIX Security 2021): the identity/variation decomposition
//     fitted by EM on a small clean set, a two-group untangling of each class and its
//     likelihood-ratio statistic J; flags the smaller group of the class of largest J.
//
// Each doc comment gives the formula and its source.
//
// # Representations
//
// Every defence takes representations of the (possibly poisoned) training rows with
// their labels: the features themselves, a network's last hidden layer (the paper's
// choice for DNNs), or a model's output prediction vector (its choice for K-NN and
// SVM, Appendix C.4, because they have no hidden layer). It returns a [Result]: the
// rows flagged, the per-row scores they were ranked by and, for the clustering
// defences, each row's group; [Result.Kept] lists the rows to retrain on. The inputs
// are never modified.
//
// # Reduction: PCA, and why not FastICA
//
// ActivationClustering and Sphere reduce each class to its first k principal
// components (the right singular vectors of the centred class, by gonum's SVD, each
// signed so that its largest entry is positive), as scikit-learn's PCA does; classes
// of at most k features are used as they are, as ART does. Chen et al. reduce with
// ICA, and ART's reduce_dimensionality defaults to FastICA while its ActivationDefence
// sets PCA. FastICA (scikit-learn's, with whitening) returns the whitened PCA scores
// times an orthogonal unmixing matrix, and k-means is invariant under rotations, so
// k-means on FastICA components finds the clusters it finds on unit-variance PCA
// scores: [WithWhitening] gives ART's FastICA clustering without FastICA's random
// start and convergence tolerance (the reference test checks the partition against
// scikit-learn's FastICA). The default is unwhitened PCA: whitening inflates noise
// directions to the variance of the trigger's, and on the planted data of the tests
// whitened 2-means finds the poisoned cluster from only about one k-means++ seeding
// in ten (7 % of this package's, 11 % of scikit-learn's, on one draw), while
// unwhitened it finds it on every draw.
//
// # Determinism
//
// The clustering starts from k-means++ seedings drawn from PCG streams fixed by the
// seed ([WithSeed]), the class and the restart; the SVD and eigendecompositions are
// gonum's. Classes are processed in parallel ([WithWorkers]) and the result is
// bit-identical for any number of workers. The representations are multiplied by a
// power of two that brings their largest magnitude into [1/2, 1), so that squares of
// any finite input neither overflow nor underflow; being exact, that changes no other
// bit (subnormal values aside), and the scores are reported in the representations'
// units.
//
// # Not here: Neural Cleanse and Mixup
//
// The paper's two other baselines do not work on representations. Neural Cleanse
// (Wang et al., S&P 2019) reverse-engineers a trigger for each label by gradient
// descent through the model on its inputs, and flags a label by a median-absolute-
// deviation test over the labels; it needs a differentiable model and at least three
// classes (the paper leaves it out of Tables 2 and C.6 for its binary tasks). Mixup
// (4-way mixup with Dirichlet(1) coefficients) is a training procedure, not a filter:
// it needs a model trained by gradient descent on mixed inputs, which a K-NN is not.
// Both belong with a network's training code.
//
// # Errors and costs
//
// Bad input — empty, ragged or non-finite rows, labels outside [0, C), a class with a
// single row, options out of range, a nil option or context — returns an error
// wrapping [ErrInvalidInput]; a problem at a row is an [*InputError] naming it. A
// cancelled context stops the work between classes (and EM iterations) and returns
// ctx.Err(). A class of n_c rows and d features costs O(n_c·d·min(n_c, d)) for its SVD
// (Spectral Signatures, PCA), plus O(restarts·iterations·n_c·k) for 2-means, and SCAn
// O(iterations·(C·d³ + n·d²)) for its EM; at Spambase scale (3,681 rows, 56 features)
// each defence takes a few to a few tens of milliseconds (BENCHMARKS.md).
package defense
