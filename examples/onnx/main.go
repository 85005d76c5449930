package main

import (
	"flag"

	"github.com/rabcert/rab/examples/internal/experiment"
)

func main() {
	cfg := defaultConfig()
	experiment.Main("onnx", &cfg)
}

// config holds the example's settings.
type config struct {
	alpha       float64 // significance level of Algorithm 2
	testRows    int     // certify only the first testRows test rows (0: all)
	workers     int     // goroutines the members vote on (0: GOMAXPROCS)
	triggerNorm float64 // ‖δ‖₂ of the four-pixel trigger (0: no trigger section)
	progress    func(stage string, done, total int)
}

func defaultConfig() config {
	return config{alpha: 0.001, triggerNorm: 0.1}
}

// Register binds the settings to the command-line flags.
func (cfg *config) Register(fs *flag.FlagSet) {
	fs.Float64Var(&cfg.alpha, "alpha", cfg.alpha, "significance level α: certificates hold with probability ≥ 1 − α")
	fs.IntVar(&cfg.testRows, "test-rows", cfg.testRows, "certify only the first N test rows (0: all 359)")
	fs.IntVar(&cfg.workers, "workers", cfg.workers, "goroutines the members vote on (0: GOMAXPROCS)")
	fs.Float64Var(&cfg.triggerNorm, "trigger-norm", cfg.triggerNorm, "L2 norm ‖δ‖ of the four-pixel trigger on the test rows (0: skip)")
}
