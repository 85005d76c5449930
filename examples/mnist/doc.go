// Command mnist runs the RAB paper's DNN experiment on MNIST (Section 7.1, Table 1's
// MNIST rows and the ablations of Tables C.3, C.7–C.9 and Figs. 4–5) with package
// ensemble/cnn's networks.
//
// Transfer learning, as the paper: one CNN (the reference code's: conv 5×5×16 → ReLU →
// 2×2 max-pool → conv 5×5×32 → ReLU → 2×2 max-pool → fc 512 → ReLU → 10) is pretrained
// once on a clean part of the MNIST training set; 0.1% of the training set (60 rows,
// disjoint from it) is the fine-tuning set, of which the attacker backdoors 10%
// (‖δ‖₂ = 0.1, relabelled to class 0; -all-to-all relabels y to (y+1) mod 10). Each of
// the N RAB members fine-tunes all the pretrained parameters on the fine-tuning rows
// plus its own Gaussian noise (σ = 0.5, Algorithm 1), and α = 0.001; the vanilla CNN is
// the pretrained one fine-tuned once on the same rows without noise. The pretraining
// data are ASSUMED CLEAN: the certificates cover the fine-tuning rows only.
//
//	go run ./examples/mnist                                # defaults (see below)
//	go run ./examples/mnist -models 1000 -test-rows 0      # the paper's N, all 10,000 test rows
//	go run ./examples/mnist -runs 5                        # Table C.9: mean ± sd over 5 seeds
//	go run ./examples/mnist -all-to-all                    # Table C.3
//	go run ./examples/mnist -h                             # flags
//
// It prints, for the clean fine-tuning rows and each pattern (one-pixel, four-pixel,
// blending), the benign accuracy of the vanilla CNN and of RAB on the test rows, and on
// the triggered test rows that fool the vanilla CNN its and RAB's robust accuracy and
// RAB's certified accuracy (eq. (19), and for the attack actually run, R > √(Σ‖δ_i‖²));
// the empirical defences AC, Spectral Signatures, Sphere and SCAn (package defense)
// reading the vanilla CNN's last hidden layer, the vanilla CNN retrained on the rows
// each keeps; RAB without its deterministic test-time noise (Table C.7); abstain rates
// (Table C.8); all of it next to the paper's numbers. It draws Fig. 4 (certified
// accuracy against radius on the clean test rows, blending attack, σ ∈ {0.2, 0.5, 1})
// and Fig. 5 (with and without the test-time noise) as PNG files.
//
// Triggers are clipped to [0, 1] and placed where they survive it: the one-pixel
// trigger on pixel (23, 23), as in the reference code; the four-pixel trigger on (23,
// 25), (24, 24), (25, 23), (25, 25) in the background corner (the reference code's
// pixels around (19, 19) are ink in up to a fifth of the images); the blending pattern
// is package attack's fixed uniform noise made non-negative, so that clipping at 0 does
// not remove half of it on the background.
//
// Defaults: N = 200 members and the first 1,000 test rows, 4 min 48 s on 2 cores (the
// paper's setting, -models 1000 -test-rows 0, took 1 h 2 min); pretraining on all
// 59,940 other training rows for 2 epochs; fine-tuning with Adam (η = 10⁻³, the
// reference code's) for 20 epochs in minibatches of 10. MNIST comes from the GoMNIST module's files (internal/dataset); -data reads
// them from another directory.
package main
