// Package gorgonia provides base learners for package ensemble (RAB's Algorithm 1)
// built on Gorgonia (gorgonia.org/gorgonia): a multilayer perceptron ([NewMLP]) and a
// small convolutional network for images ([NewCNN]).
//
// Training uses Gorgonia's automatic differentiation and solvers (Adam by default) on
// float64 tensors, one ExprGraph and TapeMachine per Fit, so members train in parallel
// goroutines. Every random choice (initial weights, minibatch order) comes from a
// ChaCha8 generator keyed by Fit's seed: the same data and seed give a model with
// bit-identical bytes, whatever GOMAXPROCS. Gorgonia's own initialisers, which seed
// from the clock, are not used. Across CPU architectures the bytes may differ in the
// last bits: Gorgonia's arithmetic runs on gonum kernels that are assembly on amd64
// and plain Go elsewhere, where the compiler may fuse multiply-adds. A saved model
// predicts identically everywhere.
//
// A trained [Model] predicts in plain Go from its weights, for any batch size, without
// Gorgonia; the tests check that this forward pass agrees with Gorgonia's. Its
// MarshalBinary bytes are versioned (architecture and weights) and [Decode] rebuilds
// it; importing this package registers the decoder with ensemble.RegisterDecoder under
// [KindMLP] and [KindCNN], so ensemble.Load can read saved ensembles of these models.
//
// CNN inputs are flat rows holding an h×w×c image row-major and channel-last (index
// (i·w + j)·c + k), as in package attack; see [WithImageShape].
package gorgonia
