// Command spambase is rab's main job: it trains the exact smoothed K-NN classifier
// (K = 3, σ = 0.5, L = 200; Theorem 3 of the RAB paper) on the embedded UCI Spambase
// data, clean and under three backdoor attacks (one-pixel, four-pixel and blending
// patterns with ‖δ‖₂ = 0.1 on 10% of the training rows, target class 0), and prints a
// table like the paper's Table 2 together with a plot of certified accuracy against
// radius like its Fig. 4.
//
// Beyond the paper, the table certifies the attack actually run, labels included: the
// models certify relabelled rows too (rab.WithLabelFlips), and the column
// "cert (r rows + labels)" counts the fooled rows whose FlipRadius(r) exceeds
// √(Σ‖δ_i‖²) over the r poisoned rows. A second plot (-flip-plot) shows certified
// accuracy on all test rows against the number r of poisoned rows, each relabelled and
// carrying ‖δ‖, for the σ of -flip-sigmas, and the example prints its values.
//
// Table 2's comparison with the empirical defences follows: Activation Clustering,
// Spectral Signatures, Sphere and SCAn (package defense, with the paper's settings,
// experiment.Baselines) read the vanilla K-NN's output vector of every training row —
// the shares of its K nearest training rows' labels, as the paper does for models
// without hidden layers (Appendix C.4) — and the vanilla K-NN retrained on the rows
// each keeps is measured on the triggered test rows that fooled it. -leave-one-out
// leaves a row out of its own neighbours; -defences=false skips the comparison.
//
//	go run ./examples/spambase            # defaults: the paper's Spambase settings
//	go run ./examples/spambase -h         # flags
//
// Features are prepared as the paper's reference code does: the 54 word and character
// frequencies raw, plus capitalAve/capitalTotal and capitalLong/capitalTotal (56
// features, not scaled). The data are split 80/20 with a fixed seed.
package main
