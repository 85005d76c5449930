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

import (
	"flag"

	"github.com/rabcert/rab/internal/experiment"
)

func main() {
	cfg := defaultConfig()
	experiment.Main("digits", &cfg)
}

// config holds the experiment's settings.
type config struct {
	models        int
	alpha         float64
	sigma         float64
	epochs        int
	vanillaEpochs int
	hidden        int
	cnn           bool
	norm          float64
	rate          float64
	target        int
	clean         bool
	seed          uint64
	testRows      int
	workers       int
	plotPath      string
	progress      func(stage string, done, total int)
}

func defaultConfig() config {
	return config{models: 200, alpha: 0.001, sigma: 0.5, epochs: 5, vanillaEpochs: 20, hidden: 64,
		norm: 0.1, rate: 0.1, target: 0, clean: true, seed: 1, plotPath: "digits-certified-accuracy.png"}
}

// Register binds the settings to the command-line flags.
func (cfg *config) Register(fs *flag.FlagSet) {
	fs.IntVar(&cfg.models, "models", cfg.models, "ensemble size N (the paper: 1000)")
	fs.Float64Var(&cfg.alpha, "alpha", cfg.alpha, "probability α that a certificate is wrong")
	fs.Float64Var(&cfg.sigma, "sigma", cfg.sigma, "smoothing noise σ")
	fs.IntVar(&cfg.epochs, "epochs", cfg.epochs, "training epochs of each ensemble member")
	fs.IntVar(&cfg.vanillaEpochs, "vanilla-epochs", cfg.vanillaEpochs, "training epochs of the vanilla network")
	fs.IntVar(&cfg.hidden, "hidden", cfg.hidden, "width of the MLP's hidden layer (0: none, multinomial logistic regression; not used with -cnn)")
	fs.BoolVar(&cfg.cnn, "cnn", cfg.cnn, "use Gorgonia's small CNN (conv3×3(16), ReLU, max-pool, softmax) instead of the MLP")
	fs.Float64Var(&cfg.norm, "norm", cfg.norm, "L2 norm ‖δ‖ of the backdoor pattern")
	fs.Float64Var(&cfg.rate, "rate", cfg.rate, "fraction of training rows poisoned")
	fs.IntVar(&cfg.target, "target", cfg.target, "attacker's target class")
	fs.BoolVar(&cfg.clean, "clean", cfg.clean, "also train on the clean training set (one more ensemble; -clean=false skips it)")
	fs.Uint64Var(&cfg.seed, "seed", cfg.seed, "seed of the split, the poisoned rows, the blending pattern, the noise and the networks")
	fs.IntVar(&cfg.testRows, "test-rows", cfg.testRows, "evaluate only the first N test rows (0: all)")
	fs.IntVar(&cfg.workers, "workers", cfg.workers, "worker goroutines (0: GOMAXPROCS)")
	fs.StringVar(&cfg.plotPath, "plot", cfg.plotPath, "PNG file for the certified-accuracy plot (empty: none)")
}
