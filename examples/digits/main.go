package main

import (
	"flag"

	"github.com/rabcert/rab/examples/internal/experiment"
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
