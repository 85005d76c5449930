// Package onnx loads classifiers saved in the ONNX format as ensemble members, so that
// N models trained on noisy copies of the training set in another framework (Algorithm
// 1 of Weber et al., lines 2–4) can be certified in Go:
//
//	models, err := onnx.LoadDir("members") // member_0000.onnx, member_0001.onnx, …
//	…
//	e, err := ensemble.FromModels(models, noise, classes)
//
// Models run on github.com/owulveryck/onnx-go v0.5.0 and its Gorgonia backend
// (backend/x/gorgonnx). A member's prediction is the argmax of its output row; its
// MarshalBinary bytes are the ONNX file, whose SHA-256 seeds its test-time noise.
// Importing the package registers the "onnx" model kind with ensemble.RegisterDecoder,
// so that ensemble.Load can read back an ensemble saved with ONNX members.
//
// # What the training side must do
//
// ensemble.FromModels cannot check how the members were trained, and the certificate
// (Theorem 1 through Algorithm 2's bounds) holds only if they were trained by
// Algorithm 1. Whoever trains the ONNX members (e.g. PyTorch on GPUs) must:
//
//   - train member k on the training set D plus its own noise: a fresh, independent
//     draw ε_k ~ N(0, σ²I) (or the uniform noise the ensemble is built with) added to
//     every feature of every training row, in the same feature space and scale as the
//     inputs that will be certified, with the same σ passed to FromModels; the labels
//     are not changed. The noise is drawn once per member, for its whole training (not
//     resampled per epoch as data augmentation would), from a source independent of
//     every other member's;
//   - train every member independently from scratch: no shared initialisation state
//     that depends on another member's training, no warm start from another member,
//     no distillation or averaging between members, no selection or tuning of members
//     by how they vote, and hyper-parameters fixed before training;
//   - learn nothing from the test inputs to be certified: they take no part in
//     training, early stopping, calibration or model selection;
//   - export N distinct files, one per member (FromModels rejects identical bytes; two
//     copies of one model would count twice and over-claim), whose output is the class
//     scores of the same classes in the same order, and keep them unchanged afterwards:
//     each file's SHA-256 seeds its test-time noise u_k, which the ensemble adds to
//     every input itself (the exported model must not add noise of its own).
//
// N must be at least bound.MinVotes(α, classes) for any certificate at level α. The
// training-time recipe is the whole guarantee: an ensemble that skips the noise, or
// trains on noise with a smaller σ than claimed, gets radii that mean nothing.
//
// # Accepted models
//
// A model must have one float32 input of shape [batch, d1, …, dk] with fixed d1…dk (a
// row of Predict holds d1·…·dk features in row-major order, e.g. C·H·W for an image)
// and one float32 output of shape [batch, classes], classes ≥ 2, that no node reads.
// The batch dimension may be symbolic or fixed; it is ignored. Every node has one output. Weights, biases and reshape targets must be
// initializers (export with constant folding). The default-domain opset must be 9–13.
//
// Supported operators, with the conditions under which onnx-go v0.5.0 computes them
// correctly (each operator is checked against numpy by a model in testdata):
//
//	Add                 numpy broadcasting of two inputs, at least one computed
//	                    (shapes onnx-go cannot broadcast fail at load)
//	BatchNormalization  4-D input; inference form: scale, bias, mean, var initializers
//	Conv                2-D; weights (and bias) initializers; kernel_shape given; group 1;
//	                    dilations 1; equal pads on every side; auto_pad NOTSET or VALID
//	Flatten             axis 1
//	Gemm                transA 0; B an initializer; C a constant bias of shape [n],
//	                    [1, n] or scalar
//	GlobalAveragePool   4-D input
//	MatMul              2-D input times a 2-D initializer
//	MaxPool             2-D; equal pads on every side, smaller than the kernel;
//	                    ceil_mode 0; no dilations; auto_pad NOTSET
//	Relu, Sigmoid, Tanh
//	Reshape             1-D int64 initializer shape starting with 0 (keep the batch),
//	                    without -1
//	Softmax             2-D input, axis 1 or -1
//
// Load rejects anything else with an error naming the node and the reason, before
// running the model: for instance LogSoftmax, Clip, Shape and AveragePool (not
// implemented by onnx-go v0.5.0), Concat and Softmax on 3-D inputs (wrong results),
// Gemm without C, grouped convolutions. It infers the shape of every tensor from the
// input shape and rejects inconsistent ones. It then builds the model and runs it once
// on zeros, so whatever else onnx-go cannot execute also fails at load time.
//
// # Evaluation
//
// onnx-go fixes a graph's batch size when it first runs it, writes Gemm results into
// the bias when the batch size is 1, and broadcasts 1-D operands along any axis whose
// length matches. A Model therefore runs a graph whose batch size is the smallest
// integer ≥ 2 that is no dimension of the model, and evaluates each row alone in the
// first slot of the batch, the others holding zeros: a row's output depends on that row
// only. Inputs are rounded to float32. NaN or infinite inputs or outputs are errors.
//
// The graph is evaluated operator by operator in the calling goroutine rather than by
// Gorgonia's tape machine, which starts a goroutine per run: a panic inside onnx-go or
// Gorgonia is returned as an error instead of ending the program, and a small model
// runs several times faster.
//
// A Model is not safe for concurrent use; load one per goroutine. Models loaded
// separately may run in parallel: graph construction, which touches an unsynchronised
// counter in onnx-go, happens inside Load under a package-level mutex.
package onnx
