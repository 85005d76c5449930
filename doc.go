// Package rab certifies machine-learning predictions against training-data poisoning
// and backdoor attacks. It implements RAB (Weber, Xu, Karlaš, Zhang, Li: "RAB: Provable
// Robustness Against Backdoor Attacks", IEEE S&P 2023).
//
// An attacker who poisons a training set adds trigger patterns δ_i to some training rows
// (and relabels them) so that the trained model maps inputs carrying the trigger to the
// attacker's class. rab trains a smoothed classifier instead — an ensemble of N models,
// model k trained on the data plus its own noise ε_k (Algorithm 1), or the exact
// smoothed K-nearest-neighbour classifier (Theorem 3) — and for each input returns a
// [Certificate]: the predicted class and a radius R such that no backdoor in the
// training set with sqrt(Σ_i ‖δ_i‖₂²) < R (Corollary 1, Gaussian smoothing) could have
// changed the prediction.
//
// [Train] builds a [Model] once; [Model.Certify] and [Model.CertifyBatch] certify
// inputs; [Certify] does both in one call; [CertifiedAccuracy] evaluates certificates as
// the paper's eq. (19). Models are saved with [Model.Save] and read back with [Load].
//
// The building blocks live in sub-packages: bound (Corollaries 1–2, binomial confidence
// bounds, Algorithm 2), smoothing (noise and deterministic random streams), knn (the
// exact smoothed K-NN), ensemble (Algorithm 1 for any base learner, with Gorgonia and
// ONNX adapters) and attack (backdoor patterns for evaluation).
package rab
