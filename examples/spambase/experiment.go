package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// Feature indices of the tabular patterns, as in the RAB reference code: one-pixel on
// feature 25, four-pixel on features 25, 26, 27 and 50 of the 56 prepared features.
var (
	onePixelFeature   = 25
	fourPixelFeatures = [4]int{25, 26, 27, 50}
)

// Run performs the whole experiment and writes the table (and the plot) to out,
// reporting the progress of training and certification to progress (nil: none); it
// makes the settings an experiment.Command.
func (cfg config) Run(ctx context.Context, out io.Writer, progress func(stage string, done, total int)) error {
	cfg.progress = progress
	data, err := dataset.SpambaseRAB()
	if err != nil {
		return err
	}
	train, test := dataset.Split(data, 0.2, cfg.seed)
	if cfg.testRows > 0 {
		test = dataset.Head(test, cfg.testRows)
	}
	h, err := harness(cfg, train)
	if err != nil {
		return err
	}
	scenarios, err := h.Attack.Scenarios(train, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Spambase: %d training rows, %d test rows, %d features; exact smoothed K-NN, K = %d, σ = %g, L = %d\n",
		len(train.X), len(test.X), len(train.X[0]), cfg.k, cfg.sigma, cfg.levels)
	results, err := h.Run(ctx, out, scenarios, test)
	if err != nil {
		return err
	}
	blend := len(scenarios) - 1
	certsAt := blendCertificates(ctx, cfg, scenarios[blend], results[blend].CleanCerts, test)
	if cfg.plotPath != "" {
		if err := plotFig4(cfg, certsAt, test); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nCertified accuracy against radius (all test rows, blending attack, σ ∈ %v; the paper's Fig. 4) written to %s\n", cfg.plotSigmas, cfg.plotPath)
	}
	if cfg.flipPlot != "" {
		return plotFlips(out, cfg, certsAt, test, scenarios[blend].Poisoned.R)
	}
	return nil
}

// harness returns the experiment: the one-pixel, four-pixel and blending attacks on
// the training set, the vanilla K-NN and the exact smoothed K-NN.
func harness(cfg config, train dataset.Set) (experiment.Harness, error) {
	d := len(train.X[0])
	one, err := attack.OnePixelFeatures(d, onePixelFeature, cfg.norm)
	if err != nil {
		return experiment.Harness{}, err
	}
	four, err := attack.FourPixelFeatures(d, fourPixelFeatures, cfg.norm)
	if err != nil {
		return experiment.Harness{}, err
	}
	blend, err := attack.Blend(attack.Tabular(d), cfg.norm, cfg.seed)
	if err != nil {
		return experiment.Harness{}, err
	}
	h := experiment.Harness{
		Attack: experiment.Attack{Patterns: []attack.Pattern{one, four, blend},
			Norm: cfg.norm, Rate: cfg.rate, Target: cfg.target, Seed: cfg.seed},
		VanillaName: "K-NN",
		TrainVanilla: func(_ context.Context, s experiment.Scenario) (experiment.Classifier, error) {
			knn, err := newVanillaKNN(s.X, s.Y, train.Classes, cfg.k)
			if err != nil {
				return nil, err
			}
			return knn.predictAll, nil
		},
		TrainRAB: func(ctx context.Context, s experiment.Scenario) (experiment.Certifier, error) {
			return trainRAB(ctx, cfg, s, s.Name)
		},
		LabelFlips: true,
	}
	if cfg.defences {
		h.Defences = experiment.Baselines(cfg.seed)
		h.Represent = func(_ context.Context, s experiment.Scenario) ([][]float64, error) {
			knn, err := newVanillaKNN(s.X, s.Y, train.Classes, cfg.k)
			if err != nil {
				return nil, err
			}
			return knn.trainingVotes(experiment.Workers(cfg.workers), cfg.leaveOut), nil
		}
		h.RepresentationName = fmt.Sprintf("the vanilla K-NN's output vector of each training row (the label shares of its %d nearest training rows, as the paper's Appendix C.4, %s)",
			cfg.k, map[bool]string{false: "the row itself among them", true: "the row itself left out"}[cfg.leaveOut])
	}
	return h, nil
}

// trainRAB trains the exact smoothed K-NN on the scenario's training set, reporting
// progress under the given stage name. On a poisoned set its certificates also
// certify the poisoned rows relabelled (rab.WithLabelFlips), and up to the flip
// plot's largest r.
func trainRAB(ctx context.Context, cfg config, s experiment.Scenario, stage string) (*rab.Model, error) {
	flips := 0
	if s.Poisoned != nil {
		flips = max(s.Poisoned.R, cfg.flipRows)
	}
	return rab.Train(ctx, s.X, s.Y, rab.WithKNN(cfg.k), rab.WithSigma(cfg.sigma), rab.WithLevels(cfg.levels),
		rab.WithClasses(2), rab.WithLabelFlips(flips), rab.WithWorkers(experiment.Workers(cfg.workers)),
		rab.WithProgress(experiment.Stage(cfg.progress, stage)))
}
