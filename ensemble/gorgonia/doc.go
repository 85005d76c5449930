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
// # Options and errors
//
// The training options ([Option]: epochs, batch size, learning rate, optimiser, hidden
// widths) configure both constructors; [WithFilters] and [WithImageShape] are
// [CNNOption]s, which NewMLP does not compile with. A nil option, an invalid value, bad
// training data or training that diverges is an error wrapping
// ensemble.ErrInvalidInput; bytes that Decode cannot read, ensemble.ErrCorrupt.
//
// # Convolutional networks: use ensemble/cnn
//
// NewCNN stays as it is (3×3 kernels with padding 1, no pretrained start). The CNNs of
// the paper — its reference MNIST model (5×5 kernels without padding, 16 and 32
// filters, a hidden layer of 512), other kernels and padding, and fine-tuning from a
// pretrained network (cnn.WithInitialWeights) — are in package ensemble/cnn, which
// trains them in float32 on the module's own matrix products. Gorgonia cannot reach the
// speed the paper's setting needs (issue 12: at least half of PyTorch's on the
// reference model): one epoch of that model on MNIST 1-vs-0 takes Gorgonia 20.0 s
// against PyTorch's 2.92 s on this repository's 2-core machine, and its float64 gonum
// Dgemm alone is 49% of that, 9.8 s — more than the whole 5.8 s budget even if every
// other cost (per-step transposes 11%, allocation 8%, im2col 6%) were removed. Gorgonia
// stays for the MLP, whose small dense products it handles well.
//
// CNN inputs are flat rows holding an h×w×c image row-major and channel-last (index
// (i·w + j)·c + k), as in package attack; see [WithImageShape].
package gorgonia
