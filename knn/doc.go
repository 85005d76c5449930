// Package knn evaluates the smoothed K-nearest-neighbour classifier of RAB (Weber et
// al., "RAB: Provable Robustness Against Backdoor Attacks", IEEE S&P 2023, Section 6.2,
// Theorem 3 and Appendix B) exactly, without Monte Carlo sampling.
//
// # Model
//
// Every training point x_i receives independent Gaussian noise ε_i ~ N(0, σ²I). The
// squared distance ‖x_i + ε_i − x‖² to the input x, divided by σ², is noncentral χ²
// with d degrees of freedom and noncentrality λ_i = ‖x_i − x‖²/σ². Squared distances
// are quantised into L buckets by edges 0 = b_0 < b_1 < … < b_{L−1} < b_L = ∞
// (bucket l = [b_{l−1}, b_l)), so p_i^l = F_{d,λ_i}(b_l/σ²) − F_{d,λ_i}(b_{l−1}/σ²)
// (Appendix B). The K first training points by (bucket, training index) — a lower
// bucket wins, within a bucket the lower index wins — vote; a tie between classes goes
// to the smallest label. Smoother.Probabilities returns P(prediction = c) for every
// class c under the noise, which is the smoothed classifier q(c | x, D) of eq. (18);
// the certificates of Theorem 1 / Corollary 1 need only its top two values.
//
// The edges must not depend on the training data. By default there are L = 200
// (DefaultLevels) edges computed from d, σ and L only (see DefaultEdges); WithEdges sets
// them explicitly.
//
// # Options
//
// New takes Options. The model options WithSigma (required), WithK, WithClasses,
// WithLevels and WithEdges fix the classifier; the runtime options WithWorkers,
// WithTolerance and WithProgress return a RuntimeOption, which is both an Option and
// a LoadOption. Unmarshal takes LoadOptions only, so a model option passed to it does
// not compile: a decoded Smoother keeps the σ, K, classes and edges it was saved with.
// A nil option is an error wrapping ErrInvalidInput.
//
// # Errors
//
// Every error about the caller's input — the training set, the options, a test
// input, a nil context, an empty batch — wraps ErrInvalidInput; where a row or a
// feature is at fault, errors.As into *InputError gives them. Every error of
// Unmarshal about its bytes wraps ErrCorrupt. A cancelled context returns its error,
// wrapped.
//
// # Quantisation: ties and the last bucket
//
// A certificate covers the quantised classifier, which is sound whatever the edges,
// but can be useless: when the features are large compared with σ (raw counts, pixel
// values of 0–255 with σ = 1) the squared distances exceed the last finite edge (by
// default about 2.6·10⁶σ²), every training point falls into the unbounded last bucket,
// and the K lowest training indices vote whatever the input. Evaluate reports per
// input, exactly up to a bound, Ties = P(the K-th and (K+1)-th neighbours share a
// bucket: the training-row order chose the voters) and LastBucket = P(the K-th
// neighbour lies beyond the last edge). LastBucket near 1 means the prediction says
// nothing about the input. What to do:
//
//   - Scale the features (standardise each to unit variance, or divide by their range)
//     and choose σ on the scale of the distances between neighbours; σ and the
//     certified radius are in the units of the features.
//   - Pass WithEdges to resolve larger distances (up to MaxEdgeRatio·σ²), or more
//     levels (WithLevels) where Ties is high because the buckets are coarse.
//
// Ties counts ties between points of one class too, which cannot change the
// prediction: it bounds the probability that the row order matters, it does not
// measure it. Close neighbours of one class tie often (about a quarter of the
// probability for ten points within σ of the input with the default edges).
//
// Package rab reports both numbers on every K-NN certificate instead of refusing to
// certify past a threshold, for three reasons. The certificate stays a true statement
// about the classifier the user trained and deploys, so refusing would repair no
// soundness problem. No threshold fits every use: ties between points of one label
// decide nothing, and coarse edges chosen on purpose (the paper's reference grid makes
// most Spambase inputs tie in the last bucket) still give accurate predictions, so a
// threshold would turn a documented property of the model into a failed batch. And the
// numbers are exact and cheap, so the caller can apply its own policy per input
// (abstain, flag, alert).
//
// # Label flips
//
// RAB's certificate (Theorem 1, Corollary 1) covers changes of the training features:
// it compares the model with the one trained on D_BD(∅) of eq. (4), which still
// carries the attacker's labels (eq. (2)). The smoothed K-NN also certifies
// relabelled rows, through the membership probabilities
//
//	m_j = P(training point j is among the K voters)
//
// that EvaluateWithMembership computes with the class probabilities (Membership).
//
// Claim. Let D = (X, y) be the training set, S a set of at most r rows and y′ labels
// that agree with y outside S. Then for every class c
//
//	|q(c | x, (X, y′)) − q(c | x, (X, y))| ≤ P(some j ∈ S votes) ≤ Σ_{j∈S} m_j ≤ M_r,
//
// M_r = min(1, sum of the r largest m_j) (Membership.FlipBound).
//
// Proof. Under the noise ε the voters V(ε) — the K first points by (bucket, index) —
// are a function of the noisy features X + ε, the input, the edges (fixed before the
// data) and the row indices, which relabelling keeps, never of the labels: the two
// training sets have the same voters for every ε. The prediction is the most
// frequent label among V(ε), a tie going to the smallest label: a function of the
// voters' labels alone (the tie rule reads labels, but only theirs). So on the event
// E = {V(ε) ∩ S = ∅} both predict the same class, and q(c | x, (X, y′)) −
// q(c | x, (X, y)) = P(prediction′ = c, not E) − P(prediction = c, not E) lies in
// [−P(not E), P(not E)], and P(not E) ≤ Σ_{j∈S} m_j by the union bound. The m_j are
// those of X, whatever the labels. ∎
//
// Certificate. Let pA ≤ q(A | x, D) and pB ≥ max_{c≠A} q(c | x, D) be the
// certificate's bounds. The smoothed classifier of D′ = (X, y′) then has
// q(A | x, D′) ≥ pA − M_r and q(c | x, D′) ≤ min(pB + M_r, 1 − pA + M_r) for c ≠ A.
// Theorem 1 holds for any base classifier with the labels fixed — its Neyman–Pearson
// argument is over the Gaussian noise on the features only — so Corollary 1 applies to
// D′: if pA − M_r > pB + M_r, the prediction is A for every training set
// (X + Δ, y′) with √(Σ_i‖δ_i‖²) < R_r = σ/2·(Φ⁻¹(pA − M_r) − Φ⁻¹(pB + M_r)). That is
// every training set that differs from D in at most r labels and by feature changes
// of total norm below R_r, in any rows (those relabelled and those moved need not be
// the same). The attack of eq. (2) relabels r rows and adds δ_i to them: for the
// poisoned set D_BD the model was trained on, the clean training set
// relabel(D_BD) − Δ is such a set, so the certified prediction is the one a model
// trained on the clean data, labels included, would make. The m_j are those of the
// features X the model was trained on, and Theorem 1 is applied once, at D′ = (X, y′):
// relabel first, then move; every (X + Δ, y′) is covered, whichever rows each step
// touches.
//
// A flip is certified only where pA − pB > 2·max_j m_j, that is where the prediction
// does not rest on one neighbour: with σ small against the distances between
// neighbours the nearest training point votes almost surely (m_j ≈ 1) and no flip is
// certified; a larger σ or K spreads the vote. Package rab turns this into
// Certificate.FlipRadius (option WithLabelFlips).
//
// Exactness of M_r. The evaluation computes the exact probabilities of a modified
// model whose bucket distributions lie within total variation T of the true ones in
// all (the far points moved beyond the block, the CDF values truncated; T is the
// truncation part of the error bound), restricted to the window of buckets that can
// hold the K-th neighbour. There a point cut as irrelevant never votes and a listed
// point j votes with probability at most its Probs value: the sum over the window's
// buckets l of p_j^l·P(at most K−1 points precede (j, l)) plus its mass below the
// window, counted as voting. By coupling, P(some j ∈ S votes) exceeds its value in
// the modified model by at most T, which also covers the K-th neighbour lying
// outside the window, so M_r = min(1, (1 + ρ)·Σ_{r largest} Probs + T) bounds it,
// ρ covering rounding; each m_j is within Membership.ErrBound of its Probs value.
//
// # Exactness
//
// The computation is exact up to truncations whose total is bounded and reported by
// ProbabilitiesWithError (about 10⁻¹⁰ by default, see WithTolerance; it grows with the
// number of relevant points and levels): training points too far to be among the K
// nearest, buckets that cannot hold the K-th neighbour, and series tails, plus a
// proved bound on floating-point rounding that assumes only that math.Exp and
// math.Log are accurate to 2 ulps. On raw Spambase (σ = 0.5, K = 3) the reported bound
// has a median of 2·10⁻¹¹ and stays below 6·10⁻¹¹.
//
// # Cost
//
// Each CDF value F(b_l/σ²; d, λ) is a polynomial in λ: a table per edge holds
// Chebyshev interpolants of degree 15 on a grid of cells in √λ, with a proved
// interpolation remainder folded into the reported bound, so a value costs O(1)
// instead of a series of O(√λ) terms. The cells are built the first time an input
// needs them (the first inputs of a new Smoother are slower), and Smoothers of the
// same dimension and edges over σ² share them. The cost per input is O(n·d) for the
// distances and O(n) to select the relevant points R, then O(|R|·W) CDF values and a
// dynamic programme of O(|R|·W·K²) for two classes (O(|R|·W·C·K³) otherwise) over the
// W buckets that can hold the K-th neighbour, instead of the paper's O(K^{2+C}·n²·L·C);
// on raw Spambase (n = 3680, d = 56, K = 3, σ = 0.5) that is under 2 ms per input on
// one core (BENCHMARKS.md). The membership probabilities add O(K) per (point, bucket)
// pair (O(1) for K = 1) and O(|R|) to list them.
package knn
