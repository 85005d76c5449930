package experiment

import (
	"context"
	"fmt"
	"io"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/dataset"
)

// Classifier predicts the class of every row of X.
type Classifier func(X [][]float64) ([]int, error)

// Certifier certifies rows; *rab.Model is one.
type Certifier interface {
	CertifyBatch(ctx context.Context, X [][]float64) ([]rab.Certificate, error)
}

// Harness runs an experiment: the attack, and how to train the two classifiers it
// compares on a scenario's training set.
type Harness struct {
	Attack Attack
	// VanillaName names the vanilla classifier in the table's header, e.g. "K-NN".
	VanillaName string
	// TrainVanilla trains the classifier without smoothing that the attack fools.
	TrainVanilla func(ctx context.Context, s Scenario) (Classifier, error)
	// TrainRAB trains the RAB model, e.g. with rab.Train.
	TrainRAB func(ctx context.Context, s Scenario) (Certifier, error)

	// Defences, if any, are the empirical defences compared with RAB on every poisoned
	// scenario (Baselines: the paper's). Each reads the representations Represent
	// returns for the scenario's training rows (RepresentationName describes them in
	// the table), and the vanilla classifier is retrained on the rows it keeps.
	Defences           []Defence
	Represent          func(ctx context.Context, s Scenario) ([][]float64, error)
	RepresentationName string
}

// Result is what one scenario measures: a row of the table. Accuracies are fractions
// in [0, 1].
type Result struct {
	Name string
	// VanillaAcc and RABAcc are the benign accuracies on the clean test rows.
	VanillaAcc, RABAcc float64
	// CleanCerts are the RAB model's certificates of the clean test rows, and
	// CleanCertAtNorm their certified accuracy at the attack's ‖δ‖ (eq. (19)).
	CleanCerts      []rab.Certificate
	CleanCertAtNorm float64

	// The rest is zero for the clean training set.

	// Triggered counts the triggered test rows (those not of the target class) and
	// Fooled those of them that the vanilla classifier assigns to the target.
	Triggered, Fooled int
	// VanillaRobust and RABRobust are the accuracies on the fooled rows (VanillaRobust
	// is 0 by construction).
	VanillaRobust, RABRobust float64
	// CertEq19 and CertAttack are the RAB model's certified accuracies on the fooled
	// rows: R > SingleNorm (eq. (19)) and R > TotalNorm (eq. (12)).
	CertEq19, CertAttack float64
	// Rows is the number r ≥ 1 of poisoned training rows.
	Rows int
	// SingleNorm is ‖δ‖ as added to one training or test row (after clipping, rounded
	// up); TotalNorm is √(Σᵢ‖δᵢ‖²) over the r poisoned rows, rounded up.
	SingleNorm, TotalNorm float64
	// Defended holds what each of the harness's Defences did, in order (nil if the
	// attack fooled no row).
	Defended []DefenceResult
}

// Attacked reports whether the result is of a poisoned training set.
func (r Result) Attacked() bool { return r.Rows > 0 }

// Run evaluates every scenario on the test set, in order, and writes the table of the
// results to out (WriteTable).
func (h Harness) Run(ctx context.Context, out io.Writer, scenarios []Scenario, test dataset.Set) ([]Result, error) {
	results := make([]Result, 0, len(scenarios))
	for _, s := range scenarios {
		r, err := h.Evaluate(ctx, s, test)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		results = append(results, r)
	}
	return results, h.WriteTable(out, results)
}

// Evaluate trains the vanilla classifier and the RAB model on the scenario's training
// set and measures them on the clean test rows and, if the scenario is poisoned, on the
// triggered ones.
func (h Harness) Evaluate(ctx context.Context, s Scenario, test dataset.Set) (Result, error) {
	res := Result{Name: s.Name}
	vanilla, err := h.TrainVanilla(ctx, s)
	if err != nil {
		return Result{}, err
	}
	pred, err := predict(vanilla, test.X)
	if err != nil {
		return Result{}, err
	}
	res.VanillaAcc = Accuracy(pred, test.Y)

	model, err := h.TrainRAB(ctx, s)
	if err != nil {
		return Result{}, err
	}
	if res.CleanCerts, err = certify(ctx, model, test.X); err != nil {
		return Result{}, err
	}
	res.RABAcc = Accuracy(Classes(res.CleanCerts), test.Y)
	if res.CleanCertAtNorm, err = rab.CertifiedAccuracy(res.CleanCerts, test.Y, h.Attack.Norm); err != nil {
		return Result{}, err
	}
	if s.Poisoned == nil {
		return res, nil
	}
	return h.evaluateAttack(ctx, s, vanilla, model, test, res)
}

// evaluateAttack measures the RAB model on the triggered test rows that fooled the
// vanilla classifier: robust accuracy, and certified accuracy twice — as the paper's
// eq. (19) (R > ‖δ‖, as if one row were poisoned) and for the attack actually run
// (R > √(Σᵢ‖δᵢ‖²) over the r poisoned rows, eq. (12), ≈ ‖δ‖·√r as eq. (13)).
func (h Harness) evaluateAttack(ctx context.Context, s Scenario, vanilla Classifier, model Certifier, test dataset.Set, res Result) (Result, error) {
	trig, err := h.Attack.trigger(test, s.Pattern)
	if err != nil {
		return Result{}, err
	}
	pred, err := predict(vanilla, trig.X)
	if err != nil {
		return Result{}, err
	}
	var fooledX [][]float64
	var fooledY, fooledPred []int
	for i, p := range pred {
		if p == h.Attack.Target {
			fooledX = append(fooledX, trig.X[i])
			fooledY = append(fooledY, trig.Labels[i])
			fooledPred = append(fooledPred, p)
		}
	}
	res.Triggered, res.Fooled = len(trig.X), len(fooledX)
	res.Rows = s.Poisoned.R
	res.SingleNorm = max(s.Poisoned.MaxNorm, trig.MaxNorm)
	res.TotalNorm = s.Poisoned.TotalNorm
	if res.Fooled == 0 {
		return res, nil
	}
	res.VanillaRobust = Accuracy(fooledPred, fooledY)
	certs, err := certify(ctx, model, fooledX)
	if err != nil {
		return Result{}, err
	}
	res.RABRobust = Accuracy(Classes(certs), fooledY)
	if res.CertEq19, err = rab.CertifiedAccuracy(certs, fooledY, res.SingleNorm); err != nil {
		return Result{}, err
	}
	if res.CertAttack, err = rab.CertifiedAccuracy(certs, fooledY, res.TotalNorm); err != nil {
		return Result{}, err
	}
	if res.Defended, err = h.defend(ctx, s, fooledX, fooledY); err != nil {
		return Result{}, err
	}
	return res, nil
}

// predict classifies X and checks that there is one prediction per row.
func predict(c Classifier, X [][]float64) ([]int, error) {
	pred, err := c(X)
	if err == nil && len(pred) != len(X) {
		err = fmt.Errorf("vanilla classifier returned %d predictions for %d rows", len(pred), len(X))
	}
	return pred, err
}

// certify certifies X and checks that there is one certificate per row.
func certify(ctx context.Context, c Certifier, X [][]float64) ([]rab.Certificate, error) {
	certs, err := c.CertifyBatch(ctx, X)
	if err == nil && len(certs) != len(X) {
		err = fmt.Errorf("RAB model returned %d certificates for %d rows", len(certs), len(X))
	}
	return certs, err
}
