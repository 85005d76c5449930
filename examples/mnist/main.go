package main

import (
	"flag"
	"fmt"

	"github.com/rabcert/rab/ensemble/cnn"
	"github.com/rabcert/rab/examples/internal/experiment"
)

func main() {
	cfg := defaultConfig()
	experiment.Main("mnist", &cfg)
}

// config holds the experiment's settings.
type config struct {
	dataDir string

	models int
	alpha  float64
	sigma  float64

	fineTuneRows   int
	pretrainRows   int
	pretrainEpochs int
	epochs         int
	batch          int
	learningRate   float64

	norm     float64
	rate     float64
	target   int
	allToAll bool
	clean    bool

	seed     uint64
	runs     int
	testRows int
	workers  int

	defences   bool
	scanClean  int
	ablation   bool
	plotPath   string
	plotSigmas experiment.Sigmas
	noisePlot  string
	maxRadius  float64

	progress func(stage string, done, total int)
}

// Defaults: the paper's protocol (Section 7.1) except N and the number of test rows,
// which are cut so that the whole run fits in 15 minutes on 2 cores (measured: 4 min 48 s
// on a quiet machine, 11 min 27 s under a load average of 5–6).
const (
	defaultModels   = 200
	defaultTestRows = 1000
	paperModels     = 1000
)

func defaultConfig() config {
	return config{
		models: defaultModels, alpha: 0.001, sigma: 0.5,
		fineTuneRows: 60, pretrainEpochs: 2, epochs: cnn.DefaultEpochs, batch: 10, learningRate: cnn.DefaultLearningRate,
		norm: 0.1, rate: 0.1, target: 0, clean: true,
		seed: 1, runs: 1, testRows: defaultTestRows,
		defences: true, scanClean: 100, ablation: true,
		plotPath: "mnist-certified-accuracy.png", plotSigmas: experiment.Sigmas{0.2, 0.5, 1}, noisePlot: "mnist-test-noise.png",
	}
}

// usage heads the -h output: what the defaults are and how to run the paper's setting.
const usage = `mnist runs the RAB paper's MNIST experiment (Table 1, Tables C.3 and C.7–C.9, Figs. 4–5):
one CNN pretrained on clean MNIST rows, N members fine-tuned on 60 poisoned rows plus noise.

The defaults (N = %d members, the first %d test rows) took 4 min 48 s on 2 cores.
The paper's setting: -models %d -test-rows 0 (N = 1,000, all 10,000 test rows)
took 1 h 2 min on 2 cores. -runs 5 gives Table C.9, -all-to-all Table C.3.

Flags:
`

// Register binds the settings to the command-line flags.
func (cfg *config) Register(fs *flag.FlagSet) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), usage, defaultModels, defaultTestRows, paperModels)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.dataDir, "data", cfg.dataDir, "directory of the four MNIST IDX files (gzipped or not; empty: the copy in the GoMNIST module)")
	fs.IntVar(&cfg.models, "models", cfg.models, "ensemble size N (the paper: 1000)")
	fs.Float64Var(&cfg.alpha, "alpha", cfg.alpha, "probability α that a certificate is wrong")
	fs.Float64Var(&cfg.sigma, "sigma", cfg.sigma, "smoothing noise σ of the tables")
	fs.IntVar(&cfg.fineTuneRows, "finetune-rows", cfg.fineTuneRows, "fine-tuning rows drawn from the training set (the paper: 0.1%, 60); the certificate covers these")
	fs.IntVar(&cfg.pretrainRows, "pretrain-rows", cfg.pretrainRows, "pretraining rows, disjoint from the fine-tuning rows and assumed clean (0: all the others)")
	fs.IntVar(&cfg.pretrainEpochs, "pretrain-epochs", cfg.pretrainEpochs, "epochs of the one pretraining")
	fs.IntVar(&cfg.epochs, "epochs", cfg.epochs, "fine-tuning epochs of every member and of the vanilla CNN")
	fs.IntVar(&cfg.batch, "batch", cfg.batch, "fine-tuning minibatch size")
	fs.Float64Var(&cfg.learningRate, "lr", cfg.learningRate, "fine-tuning learning rate (Adam)")
	fs.Float64Var(&cfg.norm, "norm", cfg.norm, "L2 norm ‖δ‖ of the backdoor pattern")
	fs.Float64Var(&cfg.rate, "rate", cfg.rate, "fraction of the fine-tuning rows poisoned")
	fs.IntVar(&cfg.target, "target", cfg.target, "attacker's target class (all-to-one)")
	fs.BoolVar(&cfg.allToAll, "all-to-all", cfg.allToAll, "all-to-all attack instead: label y relabelled (y+1) mod 10 (the paper's Table C.3)")
	fs.BoolVar(&cfg.clean, "clean", cfg.clean, "also train on the clean fine-tuning rows (one more ensemble; -clean=false skips it)")
	fs.Uint64Var(&cfg.seed, "seed", cfg.seed, "seed of the split, the pretraining, the poisoned rows, the blending pattern, the noise and the networks")
	fs.IntVar(&cfg.runs, "runs", cfg.runs, "repeat the experiment with seeds seed, seed+1, … and report mean ± sd (the paper's Table C.9: 5)")
	fs.IntVar(&cfg.testRows, "test-rows", cfg.testRows, "evaluate the first N of the 10,000 test rows (0: all)")
	fs.IntVar(&cfg.workers, "workers", cfg.workers, "worker goroutines (0: GOMAXPROCS)")
	fs.BoolVar(&cfg.defences, "defences", cfg.defences, "compare with the paper's empirical defences (AC, Spectral, Sphere, SCAn) on the CNN's last hidden layer")
	fs.IntVar(&cfg.scanClean, "scan-clean", cfg.scanClean, "pretraining rows SCAn may use as its trusted clean set, spread over the classes")
	fs.BoolVar(&cfg.ablation, "ablation", cfg.ablation, "also certify without the deterministic test-time noise (the paper's Table C.7 and Fig. 5)")
	fs.StringVar(&cfg.plotPath, "plot", cfg.plotPath, "PNG file for Fig. 4, certified accuracy against radius for each σ of -plot-sigmas (empty: none)")
	fs.Var(&cfg.plotSigmas, "plot-sigmas", "comma-separated σ values of Fig. 4's curves (blending attack)")
	fs.StringVar(&cfg.noisePlot, "noise-plot", cfg.noisePlot, "PNG file for Fig. 5, with and without test-time noise (empty: none; needs -ablation)")
	fs.Float64Var(&cfg.maxRadius, "max-radius", cfg.maxRadius, "largest radius on the plots (0: just past the largest certified radius)")
}
