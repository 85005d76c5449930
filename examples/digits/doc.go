// Command digits certifies a Gorgonia neural-network ensemble against backdoor attacks
// (RAB, Algorithm 1 of the paper) on the 1,797 embedded 8×8 handwritten digits, scaled
// to [0, 1]. For each of the paper's patterns (one-pixel, four-pixel, blending;
// ‖δ‖₂ = 0.1 on 10% of the training rows, relabelled to class 0) it trains one vanilla
// MLP and a RAB ensemble of N MLPs on noisy copies of the poisoned training set, and
// prints a table like the paper's Table 1 (the clean training set is one more row)
// together with a plot of certified accuracy against radius on the clean test rows.
//
//	go run ./examples/digits                          # defaults: under a minute on 2 cores
//	go run ./examples/digits -models 1000 -epochs 20  # the paper's N and epochs (long)
//	go run ./examples/digits -h                       # flags
//
// Defaults, as measured on this data: N = 200 members, each with one hidden layer of
// 64 ReLU units trained 5 epochs (10 epochs gain about one point of accuracy for twice
// the time; N = 1000 raises the certified accuracy at ‖δ‖ = 0.1 from about 50% to 67%
// in five times the time); σ = 0.5, as the paper uses for MNIST (-sigma 0.25 keeps
// RAB's benign accuracy at the vanilla network's, 93–94%, and certifies 60–67% of the
// fooled rows at ‖δ‖ = 0.1, but no radius above σ·Φ⁻¹(PA) ≤ 0.43 with N = 200);
// α = 0.001. The vanilla MLP trains 20 epochs without noise: after 5 the backdoor has
// mostly not taken yet. As in the paper's reference code on MNIST (pixel (23, 23) of
// 28×28, in the background), the one- and four-pixel triggers sit in the bottom-right
// background, on pixel (7, 7) and around (6, 6); every pattern is clipped to [0, 1].
// The data are split 80/20 with a fixed seed.
package main
