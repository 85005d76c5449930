// Package ensemble implements the general RAB path for any base learner (Weber et al.,
// "RAB: Provable Robustness Against Backdoor Attacks", IEEE S&P 2023, Section 6.1):
// Algorithm 1 trains N models, each on the training set plus its own smoothing noise,
// and at test time the members vote with model-deterministic noise; the vote counts
// feed the estimation step of Algorithm 2 (package bound).
//
// # Training (Algorithm 1)
//
// [Train] fits member k, for k = 0 … N−1, as follows. Its random stream is
// smoothing.Stream(seed, k); the noisy training set D + ε_k is
// noise.PerturbData(stream, X) (ε_k drawn row by row, coordinate by coordinate), and
// the member is learner.Fit(ctx, D + ε_k, y, C, stream.Uint64()), the fit's seed being
// the stream's next draw after the noise. Member k therefore depends only on (seed, k)
// and the inputs: the ensemble is bit-identical for any number of workers.
//
// # Test-time noise
//
// Member k votes on x + u_k, where u_k is drawn from
// smoothing.Stream(smoothing.SeedFromModel(b_k), 0), b_k being the member's
// MarshalBinary bytes (Algorithm 1, line 5; Section 6.1.3: "we use the hash value of the
// trained h_k model parameters as the random seed"). u_k is drawn once per member, when
// the input dimension d becomes known, and kept with it; it is never stored in a file
// but redrawn from the bytes on Load. The view [Ensemble.WithoutTestNoise] votes on x
// itself, for comparison.
//
// [Ensemble.Votes] and [Ensemble.VotesBatch] return the counts |{k : h_k(x + u_k) = c}|
// (eq. (17) times N); [Ensemble.Estimate] turns them into bound.Estimate's confidence
// bounds, and rejects an N too small to ever certify (bound.MinVotes).
//
// # Training on many machines: shards
//
// Because member k depends only on (seed, k, X, y, learner), the N members can be
// trained in pieces. [TrainShard] trains members [lo, hi) ([ShardRange] turns "shard i
// of m" into a range), [Shard.Save] and [LoadShard] move the shard between machines,
// and [Merge] checks that the shards agree (N, seed, noise, classes, dimension, the
// learner's [Describer] kind and configuration, [DataSHA256] of the training data),
// cover 0 … N−1 exactly once and carry the bytes their hashes say, then assembles the
// Ensemble that Train would have built — bit-identical, down to the saved file.
//
// # Models from elsewhere and persistence
//
// [FromModels] wraps members trained elsewhere, e.g. ONNX networks. [Ensemble.Save]
// writes one stream: a versioned JSON manifest (the noise in its own text form, e.g.
// "gaussian(sigma=0.5)", seed, classes, N, input dimension, each member's kind, size
// and SHA-256) protected by a SHA-256, then the members' bytes. [Load] verifies every hash and decodes the members
// with the [Decoder] registered for their kind: packages that define models register
// one in their init function ([RegisterDecoder]), the way image/png registers with
// package image, so importing them (e.g. _ "github.com/rabcert/rab/ensemble/logistic")
// is what lets Load read their models.
//
// # Errors
//
// Errors about the caller's input — data, options, a nil argument, a learner or model
// that breaks its contract — wrap [ErrInvalidInput] (an [InputError] names the row and
// feature where there is one); bytes that cannot be decoded wrap [ErrCorrupt]. Test
// with errors.Is and errors.As. A cancelled context returns an error wrapping
// ctx.Err() and neither sentinel.
//
// # Concurrency
//
// An Ensemble is safe for concurrent use. Members vote in parallel (see
// WithVoteWorkers), each member locked while it predicts, so models need not be safe
// for concurrent use.
package ensemble
