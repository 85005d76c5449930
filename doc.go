// Package rab certifies machine-learning predictions against training-data poisoning
// and backdoor attacks. It implements RAB (Weber, Xu, Karlaš, Zhang, Li: "RAB: Provable
// Robustness Against Backdoor Attacks", IEEE S&P 2023).
//
// An attacker who poisons a training set adds trigger patterns δ_i to some training rows
// (and relabels them) so that the trained model maps inputs carrying the trigger to the
// attacker's class. rab trains a smoothed classifier instead and for each input returns
// a [Certificate]: the predicted class and a radius R such that no backdoor in the
// training set of total norm below R could have changed the prediction —
// sqrt(Σ_i ‖δ_i‖₂²) < R for Gaussian smoothing (Corollary 1), Σ_i ‖δ_i‖₁ < R for
// uniform smoothing (Corollary 2).
//
// # Use
//
// [Train] builds a [Model] once; [Model.Certify] and [Model.CertifyBatch] certify
// inputs; [Certify] does both in one call; [CertifiedAccuracy] evaluates certificates
// as the paper's eq. (19). [Model.Save] writes a model and [Load] reads it back;
// [FromEnsemble] wraps an ensemble built with package ensemble (e.g. of ONNX members).
// The accessors ([Model.Kind], [Model.Noise], [Model.Alpha], [Model.K],
// [Model.Levels], [Model.Edges], [Model.Models], [Model.Seed], [Model.Classes],
// [Model.Dim], [Model.LabelFlips]) report what a model was trained and is certifying
// with, also after Load; [Model.DataSHA256] and [Model.MemberSHA256] give the SHA-256
// of its training data and of each ensemble member, which tie a model file to what it
// was built from. Certificates marshal to a stable JSON form (see [Certificate]);
// exact K-NN certificates also say how much of the prediction rests on the
// quantisation of distances ([Quantisation]).
//
// # Label flips
//
// The paper certifies the trigger patterns only: its guarantee compares the model
// with one trained on the same rows without the patterns but still with the
// attacker's labels. Exact K-NN models given [WithLabelFlips](r) certify the labels
// too: each certificate carries [LabelFlips], and [Certificate.FlipRadius](k) is the
// radius certified when k ≤ r training rows may also have been relabelled;
// [Certificate.CertifiesAttack](norm, rows) asks whether the attack of eq. (2) —
// rows rows relabelled, each carrying a pattern of L2 norm norm — is covered (package
// knn's documentation, "Label flips", has the proof).
//
// # The two smoothers
//
// The exact smoothed K-nearest-neighbour classifier (Theorem 3), chosen by [WithKNN]:
// no sampling, exact certificates ([KindKNN]). It needs Gaussian noise ([WithSigma])
// and takes [WithLevels] or [WithEdges] (the distance quantisation, default
// [DefaultLevels] levels) and [WithClasses].
//
// An ensemble of N models, model k trained on the data plus its own noise
// (Algorithm 1), certified from its votes with Algorithm 2 ([KindEnsemble]): the
// default. It takes [WithSigma] or [WithUniform], [WithModels] (N, default
// [DefaultModels]), [WithLearner] (default: multinomial logistic regression),
// [WithSeed], [WithClasses], and [WithAlpha]: its certificates hold with probability
// 1 − α (default [DefaultAlpha]).
//
// # Options
//
// Training options are of type [Option] and apply to Train and Certify only: given to
// Load or FromEnsemble they do not compile, since how a model was trained is fixed by
// the model. The certification options [WithAlpha], [WithLabelFlips], [WithWorkers]
// and [WithProgress] are of type [CertifyOption], accepted by all four calls
// ([LoadOption] is what Load and FromEnsemble take). An option of the other smoother
// (WithLevels or WithLabelFlips without WithKNN, WithModels or WithAlpha with it) and
// a nil option are errors naming the option, never ignored.
//
// # Errors
//
// Every error about the caller's input — data, options, a nil context, reader or
// ensemble, an empty batch or Model — wraps [ErrInvalidInput]; a problem located in a
// matrix (a NaN, a ragged row, a bad label) is also an [*InputError] giving its row and
// feature through errors.As. Every error about a model file that cannot be decoded —
// truncated, corrupt, of another version, followed by other data — wraps [ErrCorrupt].
// A cancelled context stops the work with an error wrapping ctx.Err(). Any other error
// is a failure of the work itself (a base learner's, a writer's).
//
// The building blocks live in sub-packages: bound (Corollaries 1–2, binomial confidence
// bounds, Algorithm 2), smoothing (noise and deterministic random streams), knn (the
// exact smoothed K-NN), ensemble (Algorithm 1 for any base learner, members trained in
// shards on many machines, and the learners ensemble/logistic, ensemble/cnn — a fast
// float32 CNN —, ensemble/gorgonia and ensemble/onnx for members trained elsewhere),
// attack (backdoor patterns for evaluation) and defense (the paper's empirical
// baselines). The command cmd/rab trains, merges, certifies and inspects models from
// CSV files.
package rab
