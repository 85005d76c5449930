// Package bound holds the mathematics behind every certificate rab issues:
// the certified radii of Corollaries 1 and 2 of Weber et al., "RAB: Provable
// Robustness Against Backdoor Attacks" (IEEE S&P 2023), the one-sided binomial
// confidence bounds that turn vote counts into class-probability bounds, and
// the estimation step of Algorithm 2 that combines them.
//
// # Radii
//
// A smoothed classifier whose top class yA has probability at least pA while
// every other class has probability at most pB (pA > pB) keeps predicting yA
// when the training features are poisoned with patterns δ_1, …, δ_n, as long
// as the patterns are small enough:
//
//   - Gaussian noise N(0, σ²I), Corollary 1, eq. (12):
//     sqrt(Σ_i ‖δ_i‖²) < σ/2·(Φ⁻¹(pA) − Φ⁻¹(pB)); see [GaussianRadius].
//     One pattern δ added to r instances, eq. (13):
//     ‖δ‖ < σ/(2√r)·(Φ⁻¹(pA) − Φ⁻¹(pB)); see [GaussianPatternRadius].
//   - Uniform noise U([a, b]), Corollary 2, eq. (15):
//     Π_i Π_j (1 − |δ_ij|/(b−a))_+ > 1 − (pA − pB)/2; see [UniformCertified],
//     and the radii derived from it, [UniformPatternRadius] (eq. (16)) and
//     [UniformL1Radius].
//
// # Confidence bounds and Algorithm 2
//
// pA and pB are not known exactly; Algorithm 2 estimates them from the votes
// of N models. [ClopperPearsonLower] and [ClopperPearsonUpper] give exact
// one-sided binomial bounds, [HoeffdingWidth] the looser bound of the paper's
// reference code, and [Estimate] turns a vote histogram into (yA, pA, pB)
// with bounds that hold simultaneously for all classes: for two classes one
// lower bound at level α/2 (the runner-up's probability is exactly 1 − q(yA),
// so pB = 1 − pA), for C ≥ 3 Bonferroni over the 2C one-sided bounds, level
// α/(2C) each. A unanimous vote certifies only from [MinVotes] votes on.
//
// # Soundness
//
// A certificate is a promise, so every floating-point error is pushed to the
// safe side: radii are shrunk, lower bounds lowered and upper bounds raised by
// margins that exceed the measured error of the computation (each function
// documents its margin), and boundary cases are decided against certifying.
// The margins are far below any statistically meaningful difference (at most
// 1e-12 relative for the radii; 2e-14·(n+1) relative, and at least one ulp,
// for the binomial bounds from n trials; for their closed forms at k = n and
// k = 0 a margin proved sufficient for every n and α, within
// 2.7e-15·(1 + |ln α|/n) relative, see closedform.go).
//
// Every function validates its arguments and returns a descriptive error
// wrapping [ErrInvalidInput] instead of panicking or returning NaN.
package bound
