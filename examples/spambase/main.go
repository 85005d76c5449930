package main

import (
	"flag"

	"github.com/rabcert/rab/examples/internal/experiment"
)

func main() {
	cfg := defaultConfig()
	experiment.Main("spambase", &cfg)
}

// config holds the experiment's settings; its defaults are the paper's.
type config struct {
	k          int
	sigma      float64
	levels     int
	norm       float64
	rate       float64
	target     int
	seed       uint64
	testRows   int
	workers    int
	plotPath   string
	maxRadius  float64
	plotSigmas experiment.Sigmas
	flipPlot   string            // PNG of certified accuracy against relabelled rows
	flipSigmas experiment.Sigmas // its curves
	flipRows   int               // its largest r
	defences   bool              // run the paper's baselines (experiment.Baselines)
	leaveOut   bool              // their representation of a training row leaves the row out
	progress   func(stage string, done, total int)
}

func defaultConfig() config {
	return config{k: 3, sigma: 0.5, levels: 200, norm: 0.1, rate: 0.1, target: 0, seed: 1,
		plotPath: "spambase-certified-accuracy.png", plotSigmas: experiment.Sigmas{0.25, 0.5, 1},
		flipPlot: "spambase-label-flips.png", flipSigmas: experiment.Sigmas{0.25, 0.5, 1, 2}, flipRows: 64, defences: true}
}

// Register binds the settings to the command-line flags.
func (cfg *config) Register(fs *flag.FlagSet) {
	fs.IntVar(&cfg.k, "k", cfg.k, "K of the smoothed K-NN")
	fs.Float64Var(&cfg.sigma, "sigma", cfg.sigma, "smoothing noise σ")
	fs.IntVar(&cfg.levels, "levels", cfg.levels, "distance levels L")
	fs.Float64Var(&cfg.norm, "norm", cfg.norm, "L2 norm ‖δ‖ of the backdoor pattern")
	fs.Float64Var(&cfg.rate, "rate", cfg.rate, "fraction of training rows poisoned")
	fs.IntVar(&cfg.target, "target", cfg.target, "attacker's target class")
	fs.Uint64Var(&cfg.seed, "seed", cfg.seed, "seed of the split, the poisoned rows and the blending pattern")
	fs.IntVar(&cfg.testRows, "test-rows", cfg.testRows, "certify only the first N test rows (0: all)")
	fs.IntVar(&cfg.workers, "workers", cfg.workers, "worker goroutines (0: GOMAXPROCS)")
	fs.StringVar(&cfg.plotPath, "plot", cfg.plotPath, "PNG file for the certified-accuracy plot (empty: none)")
	fs.Float64Var(&cfg.maxRadius, "max-radius", cfg.maxRadius, "largest radius on the plot (0: just past the largest certified radius)")
	fs.Var(&cfg.plotSigmas, "plot-sigmas", "comma-separated σ values of the plot's curves (blending attack, as the paper's Fig. 4)")
	fs.StringVar(&cfg.flipPlot, "flip-plot", cfg.flipPlot, "PNG file for the plot of certified accuracy against relabelled poisoned rows (empty: none)")
	fs.Var(&cfg.flipSigmas, "flip-sigmas", "comma-separated σ values of the label-flip plot's curves (blending attack)")
	fs.IntVar(&cfg.flipRows, "flip-rows", cfg.flipRows, "largest number of relabelled poisoned rows on the label-flip plot")
	fs.BoolVar(&cfg.defences, "defences", cfg.defences, "compare with the paper's empirical defences (AC, Spectral, Sphere, SCAn)")
	fs.BoolVar(&cfg.leaveOut, "leave-one-out", cfg.leaveOut, "the defences' K-NN output vector of a training row leaves the row itself out")
}
