// Package ensemble implements the general RAB path for any base learner: Algorithm 1
// training of N models, each on the training set plus its own smoothing noise, and
// test-time voting with model-deterministic noise, whose vote counts feed Algorithm 2
// (package bound).
package ensemble
