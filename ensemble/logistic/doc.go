// Package logistic is rab's pure-Go baseline learner: multinomial (softmax) logistic
// regression with an L2 penalty, fitted by a deterministic full-batch L-BFGS. It is the
// default base learner of the RAB ensemble (Algorithm 1 of Weber et al., "RAB: Provable
// Robustness Against Backdoor Attacks", IEEE S&P 2023): fast enough to fit one member
// per few milliseconds on Spambase, so that N = 1,000 members train in seconds.
//
// A fit minimises the mean cross-entropy plus (λ/2)‖W‖² over standardised features
// (means and standard deviations of the training set, folded into the Model), in the
// baseline-category form (class 0 scores 0; with two classes this is ordinary binary
// logistic regression), starting from zero and running at most WithIterations L-BFGS
// iterations. Everything is plain
// IEEE arithmetic in a fixed order — exp and log are fdlibm ports rather than package
// math, which uses assembly on some architectures — so a fit is bit-identical on every
// machine: required because the model's bytes seed its test-time noise.
//
// Importing the package registers its decoder with package ensemble under [Kind], so
// ensemble.Load reads ensembles of logistic models.
package logistic
