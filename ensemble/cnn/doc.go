// Package cnn provides a base learner for package ensemble (RAB's Algorithm 1): lean
// convolutional networks for images, trained and run in float32 on the module's own
// matrix products (internal/gemm), with the architecture and training of the paper's
// reference MNIST model as defaults.
//
// A network is convolution blocks (k×k convolution with a bias → ReLU → 2×2 max-pool),
// fully connected ReLU layers, and one logit per class ([New] lists the options).
// Training is minibatch gradient descent on the mean softmax cross-entropy with Adam
// (or SGD, or momentum), as PyTorch defines them; [WithInitialWeights] starts from a
// pretrained [Model] instead of PyTorch's default random initialisation, for the
// paper's transfer-learning setting where every member fine-tunes one pretrained
// network on its own noisy data.
//
// # How it computes
//
// Every convolution is one product of a patch matrix by the filter matrix, and every
// fully connected layer one product, for a whole slab of up to 32 rows at a time, on
// the module's float32 GEMM (AVX2/FMA assembly on amd64). Training keeps each
// convolution's im2col matrix for the backward pass; prediction reads the patches in
// place from the (zero-padded) image, blocks of 64 rows at a time. Buffers are
// allocated once per fit (per architecture for prediction, shared by all the models
// of an ensemble) and reused; activations are never transposed: only the weight
// matrices are packed transposed, once per step, for the backward products. A fit's
// threads ([WithThreads]) work on the slabs of a minibatch in parallel, each slab's
// gradient in its own buffer, summed in slab order. A model holds its parameters as
// float32: 1.1 MB for the reference MNIST network, 1.1 GB for 1,000 members.
//
// # Determinism
//
// Every random choice comes from ChaCha8 generators keyed by Fit's seed. Every
// arithmetic operation is rounded in a fixed order: the matrix products are fma chains
// in a fixed order whatever the blocking (internal/gemm), the slabs of a minibatch are
// a fixed partition whose gradients are summed in slab order, the optimiser rounds
// every product explicitly, and the softmax uses the fdlibm exp of internal/detmath.
// So the same data, options and seed give a model with bit-identical bytes for any
// number of threads — and on any machine: on amd64 with AVX2 and FMA the products run
// in assembly, elsewhere in a portable kernel that rounds exactly the same way but
// emulates each fused multiply-add in float64 (0.1–0.5 GFLOP/s against about 90:
// usable for tests and small networks, not for the MNIST network).
//
// # Inputs and files
//
// Inputs are flat rows holding an h×w×c image row-major and channel-last (index
// (i·w + j)·c + k), as in package attack; see [WithImageShape]. They are rounded to
// float32. A Model's MarshalBinary bytes are versioned (architecture and float32
// parameters) and [Decode] rebuilds it; importing this package registers the decoder
// with ensemble.RegisterDecoder under [Kind], so ensemble.Load can read saved ensembles
// of these models.
//
// # Relation to ensemble/gorgonia
//
// Package ensemble/gorgonia trains networks with Gorgonia's automatic differentiation
// in float64. It stays for its multilayer perceptron; its NewCNN (3×3 kernels, padding
// 1, no pretrained start) is kept as it is, and CNNs live here (BENCHMARKS.md compares
// both with PyTorch on the reference MNIST model; bench/cnn measures it).
package cnn
