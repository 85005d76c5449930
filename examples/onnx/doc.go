// Command onnx certifies an ensemble of ONNX classifiers trained elsewhere: the path
// for a user who ran Algorithm 1 of the RAB paper (Weber et al., IEEE S&P 2023, lines
// 2–4: model k trained on the training set plus its own Gaussian noise ε_k) in another
// framework and wants rab's certificates for the result.
//
//	go run ./examples/onnx            # defaults: 100 members, all 359 test rows, α = 0.001
//	go run ./examples/onnx -h         # flags
//
// The members in members/ are 64 → 16 → 10 MLPs (Gemm, Relu, Gemm, Softmax; opset 13)
// that members/gen.py trained with numpy on the 8×8 digits of internal/dataset, each on
// the 1,438 training rows plus its own N(0, 0.25²I) noise, and exported with
// onnx.helper. The files are committed and embedded, so the example needs no Python;
// members/manifest.json names the σ of training and the 359 held-out test rows.
//
// The example loads the members with ensemble/onnx, wraps them with
// ensemble.FromModels (test-time noise u_k drawn from each member's SHA-256, Algorithm
// 1, line 5), counts their votes on every test row and certifies with Algorithm 2:
// bound.Estimate's simultaneous Clopper–Pearson bounds and Corollary 1's radius
// bound.GaussianRadius. It prints the smoothed classifier's accuracy, its abstention
// rate, the certified accuracy at several radii (eq. (19)) and, for test rows carrying
// a four-pixel trigger, the fraction certified against that trigger in r training rows
// (eq. (13)).
package main
