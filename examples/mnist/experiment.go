package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/cnn"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

var imageShape = attack.Shape{H: dataset.MNISTSide, W: dataset.MNISTSide, C: 1}

// Trigger placement. The reference code puts the one-pixel trigger on pixel (23, 23),
// background in all but 0.13% of the training images (pixel above 0.95, where clipping
// to [0, 1] would cut the trigger); its four pixels around (19, 19) are ink above 0.95
// in 9–20% of the images, so ours sit around (24, 24): (23, 25), (24, 24), (25, 23),
// (25, 25), above 0.95 in at most 0.01%.
var (
	onePixelAt  = attack.AtPixel(23, 23)
	fourPixelAt = attack.AtPixel(24, 24)
)

// blendName names the blending pattern: package attack's Blend (uniform noise, fixed
// by the seed) with every entry made non-negative. A signed pattern loses its negative
// entries on the background (value 0) when the images are clipped to [0, 1]: 23% of
// its norm on average (0.070–0.084 of 0.1 is added); the non-negative one keeps
// 0.089–0.1 (mean 0.0994), only ink near 1 clipping it.
const blendName = "blending"

// blendPattern returns the non-negative blending pattern of norm ‖δ‖ drawn from seed.
func blendPattern(norm float64, seed uint64) (attack.Pattern, error) {
	signed, err := attack.Blend(imageShape, norm, seed)
	if err != nil {
		return attack.Pattern{}, err
	}
	delta := make([]float64, imageShape.Dim())
	for k, i := range signed.Indices() {
		delta[i] = max(signed.Values()[k], -signed.Values()[k])
	}
	return attack.Custom(imageShape, delta)
}

// Run performs the whole experiment (cfg.runs times) and writes the tables and plots,
// reporting the progress of long stages to progress (nil: none); it makes the
// settings an experiment.Command.
func (cfg config) Run(ctx context.Context, out io.Writer, progress func(stage string, done, total int)) error {
	cfg.progress = progress
	train, test, err := dataset.MNIST(cfg.dataDir)
	if err != nil {
		return err
	}
	if err := cfg.validate(len(train.X)); err != nil {
		return err
	}
	if cfg.testRows > 0 {
		test = dataset.Head(test, cfg.testRows)
	}
	var runs [][]experiment.Result
	for run := range cfg.runs {
		c := cfg
		c.seed = cfg.seed + uint64(run)
		if cfg.runs > 1 {
			fmt.Fprintf(out, "\n=== Run %d of %d, seed %d\n", run+1, cfg.runs, c.seed)
		}
		results, err := c.runOnce(ctx, out, train, test, run == 0)
		if err != nil {
			return err
		}
		runs = append(runs, results)
	}
	if cfg.runs > 1 {
		writeRuns(out, cfg, runs)
	}
	return nil
}

// validate rejects settings the experiment cannot run with on n training rows.
func (cfg config) validate(n int) error {
	switch {
	case cfg.fineTuneRows < 2 || cfg.fineTuneRows >= n:
		return fmt.Errorf("-finetune-rows %d: want 2 to %d of the %d training rows", cfg.fineTuneRows, n-1, n)
	case cfg.pretrainRows < 0 || cfg.fineTuneRows+cfg.pretrainRows > n:
		return fmt.Errorf("-pretrain-rows %d: want 0 (all) to %d, the training rows left after -finetune-rows", cfg.pretrainRows, n-cfg.fineTuneRows)
	case cfg.runs < 1:
		return fmt.Errorf("-runs %d: want at least 1", cfg.runs)
	case cfg.testRows < 0:
		return fmt.Errorf("-test-rows %d: want 0 (all) or more", cfg.testRows)
	case cfg.defences && cfg.scanClean < 2*dataset.MNISTClasses:
		return fmt.Errorf("-scan-clean %d: want at least %d rows, two of each class", cfg.scanClean, 2*dataset.MNISTClasses)
	}
	return nil
}

// runOnce runs the experiment with cfg.seed: the split, the pretraining, the tables
// and, if figures, the plots.
func (cfg config) runOnce(ctx context.Context, out io.Writer, train, test dataset.Set, figures bool) ([]experiment.Result, error) {
	fine, pre := split(train, cfg.fineTuneRows, cfg.pretrainRows, cfg.seed)
	pretrained, err := cfg.pretrain(ctx, pre)
	if err != nil {
		return nil, err
	}
	acc, err := accuracy(pretrained, test)
	if err != nil {
		return nil, err
	}
	t := trainer{cfg: cfg, pretrained: pretrained}
	h, err := t.harness(pre)
	if err != nil {
		return nil, err
	}
	scenarios, err := h.Attack.Scenarios(fine, cfg.clean)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "MNIST: %d fine-tuning rows, %d pretraining rows (disjoint), %d test rows; 28×28 pixels in [0, 1]\n", len(fine.X), len(pre.X), len(test.X))
	fmt.Fprintf(out, "Pretrained once: %s on the pretraining rows, %d epochs (%.1f%% on the test rows).\n", network, cfg.pretrainEpochs, 100*acc)
	fmt.Fprintf(out, "The pretraining rows are ASSUMED CLEAN: the certificates cover the %d fine-tuning rows only, where the attacker poisons.\n", len(fine.X))
	fmt.Fprintf(out, "RAB: N = %d members, each fine-tuning all parameters of the pretrained CNN on the fine-tuning rows plus its own Gaussian noise, σ = %g (Algorithm 1); α = %g.\n", cfg.models, cfg.sigma, cfg.alpha)
	fmt.Fprintf(out, "Vanilla: the pretrained CNN fine-tuned once on the (poisoned) fine-tuning rows without noise. Fine-tuning: %s.\n", t.fineTuning())
	results, err := h.Run(ctx, out, scenarios, test)
	if err != nil {
		return nil, err
	}
	if err := h.WriteAbstain(out, results); err != nil {
		return nil, err
	}
	if err := writePaper(out, cfg, results); err != nil {
		return nil, err
	}
	if !figures {
		return results, nil
	}
	blend := len(scenarios) - 1
	return results, t.plots(ctx, out, scenarios[blend], results[blend], test)
}

// network describes the architecture, ensemble/cnn's defaults.
const network = "the paper's MNIST CNN (conv 5×5×16 → ReLU → max-pool → conv 5×5×32 → ReLU → max-pool → fc 512 → ReLU → 10)"

// split draws, with a PCG generator seeded by seed, the fine-tuning rows and then the
// pretraining rows (all the others for pretrainRows = 0) from train: disjoint sets.
func split(train dataset.Set, fineTuneRows, pretrainRows int, seed uint64) (fine, pre dataset.Set) {
	perm := rand.New(rand.NewPCG(seed, 0x6d6e697374)).Perm(len(train.X)) // "mnist"
	if pretrainRows == 0 {
		pretrainRows = len(train.X) - fineTuneRows
	}
	pick := func(rows []int) dataset.Set {
		s := dataset.Set{Names: train.Names, Classes: train.Classes, X: make([][]float64, len(rows)), Y: make([]int, len(rows))}
		for k, i := range rows {
			s.X[k], s.Y[k] = train.X[i], train.Y[i]
		}
		return s
	}
	return pick(perm[:fineTuneRows]), pick(perm[fineTuneRows : fineTuneRows+pretrainRows])
}

// pretrain trains the CNN once on the pretraining rows, with all workers on its
// minibatches.
func (cfg config) pretrain(ctx context.Context, pre dataset.Set) (*cnn.Model, error) {
	l, err := cnn.New(cnn.WithImageShape(imageShape.H, imageShape.W, imageShape.C), cnn.WithEpochs(cfg.pretrainEpochs),
		cnn.WithThreads(experiment.Workers(cfg.workers)), cnn.WithProgress(experiment.Stage(cfg.progress, "pretraining")))
	if err != nil {
		return nil, err
	}
	return l.FitModel(ctx, pre.X, pre.Y, dataset.MNISTClasses, cfg.seed)
}

// accuracy returns the fraction of the rows m classifies correctly.
func accuracy(m *cnn.Model, s dataset.Set) (float64, error) {
	pred := make([]int, len(s.X))
	if err := m.Predict(s.X, pred); err != nil {
		return 0, err
	}
	return experiment.Accuracy(pred, s.Y), nil
}

// trainer fine-tunes the pretrained CNN: the vanilla CNN, the RAB members.
type trainer struct {
	cfg        config
	pretrained *cnn.Model
}

// learner returns the fine-tuning learner: the pretrained CNN's architecture and
// weights, every parameter trained.
func (t trainer) learner() (*cnn.Learner, error) {
	return cnn.New(cnn.WithInitialWeights(t.pretrained), cnn.WithEpochs(t.cfg.epochs), cnn.WithBatchSize(t.cfg.batch),
		cnn.WithLearningRate(t.cfg.learningRate))
}

// fineTuning describes the fine-tuning.
func (t trainer) fineTuning() string {
	return fmt.Sprintf("Adam, η = %g, %d epochs, minibatches of %d", t.cfg.learningRate, t.cfg.epochs, t.cfg.batch)
}

// vanilla fine-tunes the pretrained CNN on the scenario's rows without noise.
func (t trainer) vanilla(ctx context.Context, s experiment.Scenario) (*cnn.Model, error) {
	l, err := t.learner()
	if err != nil {
		return nil, err
	}
	return l.FitModel(ctx, s.X, s.Y, dataset.MNISTClasses, t.cfg.seed)
}

// ensemble trains the RAB members on the scenario's rows at noise σ (Algorithm 1),
// reporting progress under the stage's name.
func (t trainer) ensemble(ctx context.Context, s experiment.Scenario, sigma float64, stage string) (*ensemble.Ensemble, error) {
	l, err := t.learner()
	if err != nil {
		return nil, err
	}
	noise, err := smoothing.Gaussian(sigma)
	if err != nil {
		return nil, err
	}
	return ensemble.Train(ctx, s.X, s.Y, l, noise, ensemble.WithModels(t.cfg.models), ensemble.WithSeed(t.cfg.seed),
		ensemble.WithClasses(dataset.MNISTClasses), ensemble.WithWorkers(experiment.Workers(t.cfg.workers)),
		ensemble.WithProgress(experiment.Stage(t.cfg.progress, stage+": training")))
}

// certifier certifies with the ensemble (Algorithm 2), reporting progress under the
// stage's name.
func (t trainer) certifier(e *ensemble.Ensemble, stage string) (*rab.Model, error) {
	return rab.FromEnsemble(e, rab.WithAlpha(t.cfg.alpha), rab.WithWorkers(experiment.Workers(t.cfg.workers)),
		rab.WithProgress(experiment.Stage(t.cfg.progress, stage+": certifying")))
}

// smoothed is a RAB model with the ensemble it certifies with, for its variant without
// test-time noise.
type smoothed struct {
	*rab.Model
	members *ensemble.Ensemble
	stage   string
}

// withoutTestNoise is the variant of Table C.7: the members vote on x itself.
const withoutTestNoise = "no test noise"

// harness returns the experiment: the three patterns clipped to [0, 1], the vanilla CNN,
// the RAB ensemble and its variant without test-time noise, and the defences reading
// the vanilla CNN's last hidden layer (SCAn's clean set from the pretraining rows pre).
func (t trainer) harness(pre dataset.Set) (experiment.Harness, error) {
	cfg := t.cfg
	one, err := attack.OnePixel(imageShape, cfg.norm, onePixelAt)
	if err != nil {
		return experiment.Harness{}, err
	}
	four, err := attack.FourPixel(imageShape, cfg.norm, fourPixelAt)
	if err != nil {
		return experiment.Harness{}, err
	}
	blend, err := blendPattern(cfg.norm, cfg.seed)
	if err != nil {
		return experiment.Harness{}, err
	}
	h := experiment.Harness{
		Attack: experiment.Attack{Patterns: []attack.Pattern{one, four, blend}, Names: []string{"", "", blendName},
			Norm: cfg.norm, Rate: cfg.rate, Target: cfg.target, AllToAll: cfg.allToAll, Classes: dataset.MNISTClasses,
			Seed: cfg.seed, Clip: &experiment.Range{Lo: 0, Hi: 1}},
		VanillaName: "CNN",
		TrainVanilla: func(ctx context.Context, s experiment.Scenario) (experiment.Classifier, error) {
			m, err := t.vanilla(ctx, s)
			if err != nil {
				return nil, err
			}
			return func(X [][]float64) ([]int, error) {
				out := make([]int, len(X))
				return out, m.Predict(X, out)
			}, nil
		},
		TrainRAB: func(ctx context.Context, s experiment.Scenario) (experiment.Certifier, error) {
			e, err := t.ensemble(ctx, s, cfg.sigma, s.Name)
			if err != nil {
				return nil, err
			}
			m, err := t.certifier(e, s.Name)
			return smoothed{Model: m, members: e, stage: s.Name}, err
		},
	}
	if cfg.ablation {
		h.Variants = []experiment.Variant{{Name: withoutTestNoise, Of: func(c experiment.Certifier) (experiment.Certifier, error) {
			s := c.(smoothed)
			return t.certifier(s.members.WithoutTestNoise(), s.stage+" ("+withoutTestNoise+")")
		}}}
	}
	if cfg.defences {
		h.Defences = t.defences(pre)
		h.Represent = func(ctx context.Context, s experiment.Scenario) ([][]float64, error) {
			m, err := t.vanilla(ctx, s)
			if err != nil {
				return nil, err
			}
			return m.Hidden(s.X)
		}
		h.RepresentationName = "the vanilla CNN's last hidden layer (its 512 ReLU outputs) on each fine-tuning row, as the paper's Section 7.1.3"
	}
	return h, nil
}
