// Package smoothing provides the smoothing noise of RAB (Weber et al., "RAB: Provable
// Robustness Against Backdoor Attacks", IEEE S&P 2023) and the deterministic random
// streams that draw it.
//
// A [Noise] is either isotropic Gaussian N(0, σ²I) (Corollary 1) or coordinate-wise
// uniform U([a, b]) (Corollary 2). [Noise.PerturbData] returns a noisy copy of a
// training set (the D + ε_k of Algorithm 1, line 3); [Noise.Perturb] writes one noisy
// input into a caller-supplied buffer without allocating (the test-time x + u_k of
// Algorithm 1, line 5). A Noise marshals itself ([Noise.MarshalText],
// [Noise.UnmarshalText]) as "gaussian(sigma=0.5)" or "uniform(a=-1,b=1)", exactly, so
// files and flags need no switch on its kind.
//
// Randomness comes only from [Stream] and [SeedFromModel]. Stream(seed, k) is model k's
// generator: a ChaCha8 generator keyed by SHA-256 of (seed, k), so the noise of model k
// depends on nothing but the seed and k — not on scheduling, worker count or machine.
// SeedFromModel hashes a trained model's bytes into the seed of its test-time noise, as
// Algorithm 1 prescribes ("random seed based on hash(h_k)", Section 6.1.3).
//
// Bit-identical results across machines: the noise values are computed with explicit
// float64 conversions around products so that no compiler may fuse them into FMA
// instructions, which some architectures would otherwise do.
//
// Errors about parameters or inputs wrap rab.ErrInvalidInput; text that cannot be
// decoded wraps rab.ErrCorrupt.
package smoothing
