package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/ensemble/gorgonia"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// Digits are 8×8 grey images; the raw intensities 0..16 are divided by maxIntensity.
const maxIntensity = 16

var imageShape = attack.Shape{H: 8, W: 8, C: 1}

// Trigger placement, after the paper's reference code on MNIST (one pixel at (23, 23)
// of 28×28, in the background): pixel (7, 7), and the four pixels around (6, 6), which
// are (5, 7), (6, 6), (7, 5) and (7, 7). At the image centre, package attack's default,
// the pixel is usually ink near 1, so clipping erases most of the trigger and the
// vanilla network learns no backdoor.
var (
	onePixelAt  = attack.AtPixel(7, 7)
	fourPixelAt = attack.AtPixel(6, 6)
)

// Run performs the whole experiment and writes the table (and the plot) to out,
// reporting the progress of training and certification to progress (nil: none); it
// makes the settings an experiment.Command.
func (cfg config) Run(ctx context.Context, out io.Writer, progress func(stage string, done, total int)) error {
	cfg.progress = progress
	train, test, err := loadDigits(cfg)
	if err != nil {
		return err
	}
	h, err := harness(cfg)
	if err != nil {
		return err
	}
	scenarios, err := h.Attack.Scenarios(train, cfg.clean)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Digits: %d training rows, %d test rows, 8×8 pixels in [0, 1]\nRAB: %d × %s on noisy copies, σ = %g, α = %g; vanilla: one %s without noise\n",
		len(train.X), len(test.X), cfg.models, describe(cfg, cfg.epochs), cfg.sigma, cfg.alpha, describe(cfg, cfg.vanillaEpochs))
	results, err := h.Run(ctx, out, scenarios, test)
	if err != nil || cfg.plotPath == "" {
		return err
	}
	p := experiment.Plot{Title: fmt.Sprintf("Digits, RAB: %d × %s, σ = %g", cfg.models, describe(cfg, cfg.epochs), cfg.sigma), Labels: test.Y}
	for _, r := range results {
		p.Curves = append(p.Curves, experiment.Curve{Name: "trained on " + r.Name, Certs: r.CleanCerts})
	}
	if err := p.Save(cfg.plotPath); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nCertified accuracy against radius (all clean test rows, one curve per training set) written to %s\n", cfg.plotPath)
	return nil
}

// loadDigits returns the digits scaled to [0, 1], split 80/20 with the seed.
func loadDigits(cfg config) (train, test dataset.Set, err error) {
	data, err := dataset.Digits()
	if err != nil {
		return dataset.Set{}, dataset.Set{}, err
	}
	for _, row := range data.X {
		for j := range row {
			row[j] /= maxIntensity
		}
	}
	train, test = dataset.Split(data, 0.2, cfg.seed)
	if cfg.testRows > 0 {
		test = dataset.Head(test, cfg.testRows)
	}
	return train, test, nil
}

// harness returns the experiment: the one-pixel, four-pixel and blending attacks,
// clipped to [0, 1], one vanilla network and the RAB ensemble.
func harness(cfg config) (experiment.Harness, error) {
	one, err := attack.OnePixel(imageShape, cfg.norm, onePixelAt)
	if err != nil {
		return experiment.Harness{}, err
	}
	four, err := attack.FourPixel(imageShape, cfg.norm, fourPixelAt)
	if err != nil {
		return experiment.Harness{}, err
	}
	blend, err := attack.Blend(imageShape, cfg.norm, cfg.seed)
	if err != nil {
		return experiment.Harness{}, err
	}
	return experiment.Harness{
		Attack: experiment.Attack{Patterns: []attack.Pattern{one, four, blend},
			Norm: cfg.norm, Rate: cfg.rate, Target: cfg.target, Seed: cfg.seed, Clip: &experiment.Range{Lo: 0, Hi: 1}},
		VanillaName: "network",
		TrainVanilla: func(ctx context.Context, s experiment.Scenario) (experiment.Classifier, error) {
			return trainVanilla(ctx, cfg, s)
		},
		TrainRAB: func(ctx context.Context, s experiment.Scenario) (experiment.Certifier, error) {
			return trainRAB(ctx, cfg, s)
		},
	}, nil
}

// newLearner returns the configured Gorgonia learner, training the given epochs.
func newLearner(cfg config, epochs int) (*gorgonia.Learner, error) {
	if cfg.cnn {
		return gorgonia.NewCNN(gorgonia.WithEpochs(epochs), gorgonia.WithImageShape(imageShape.H, imageShape.W, imageShape.C))
	}
	var hidden []int // none for -hidden 0; NewMLP rejects a negative width
	if cfg.hidden != 0 {
		hidden = []int{cfg.hidden}
	}
	return gorgonia.NewMLP(gorgonia.WithEpochs(epochs), gorgonia.WithHidden(hidden...))
}

// describe names the network, e.g. "MLPs (64 hidden, 5 epochs)".
func describe(cfg config, epochs int) string {
	switch {
	case cfg.cnn:
		return fmt.Sprintf("CNN (%d epochs)", epochs)
	case cfg.hidden > 0:
		return fmt.Sprintf("MLP (%d hidden, %d epochs)", cfg.hidden, epochs)
	}
	return fmt.Sprintf("MLP (no hidden layer, %d epochs)", epochs)
}

// trainVanilla trains one network on the scenario's training set, without noise.
func trainVanilla(ctx context.Context, cfg config, s experiment.Scenario) (experiment.Classifier, error) {
	learner, err := newLearner(cfg, cfg.vanillaEpochs)
	if err != nil {
		return nil, err
	}
	m, err := learner.Fit(ctx, s.X, s.Y, 10, cfg.seed)
	if err != nil {
		return nil, err
	}
	return func(X [][]float64) ([]int, error) {
		out := make([]int, len(X))
		return out, m.Predict(X, out)
	}, nil
}

// trainRAB trains the RAB ensemble (Algorithm 1) on the scenario's training set.
func trainRAB(ctx context.Context, cfg config, s experiment.Scenario) (*rab.Model, error) {
	learner, err := newLearner(cfg, cfg.epochs)
	if err != nil {
		return nil, err
	}
	return rab.Train(ctx, s.X, s.Y, rab.WithSigma(cfg.sigma), rab.WithLearner(learner),
		rab.WithModels(cfg.models), rab.WithAlpha(cfg.alpha), rab.WithSeed(cfg.seed), rab.WithClasses(10),
		rab.WithWorkers(experiment.Workers(cfg.workers)), rab.WithProgress(experiment.Stage(cfg.progress, s.Name)))
}
