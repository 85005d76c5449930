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

	// Variants, if any, are other certifiers made from each RAB model, measured on the
	// same rows beside it (Result.Variants): e.g. its ensemble voting without the
	// deterministic test-time noise, the paper's Table C.7.
	Variants []Variant
	// LabelFlips says that TrainRAB's models certify relabelled rows
	// (rab.WithLabelFlips with at least the poisoned rows): the table then shows
	// Result.CertFlips, the certified accuracy against the attack run, labels
	// included.
	LabelFlips bool
}

// Variant is another way of certifying with a RAB model.
type Variant struct {
	// Name names the variant in the tables, e.g. "without test-time noise".
	Name string
	// Of returns the variant of a model TrainRAB returned.
	Of func(Certifier) (Certifier, error)
}

// Certified is what a certifier measures on the clean test rows and, for a poisoned
// training set, on the fooled rows: the RAB model's, or a Variant's.
type Certified struct {
	// Name is the variant's (empty for the RAB model itself).
	Name string
	// CleanCerts are the certificates of the clean test rows, RABAcc their accuracy
	// and CleanCertAtNorm their certified accuracy at the attack's ‖δ‖ (eq. (19)).
	CleanCerts      []rab.Certificate
	RABAcc          float64
	CleanCertAtNorm float64
	// FooledCerts are the certificates of the fooled rows (nil if none), RABRobust
	// their accuracy, CertEq19 and CertAttack their certified accuracies at
	// Result.SingleNorm (eq. (19)) and Result.TotalNorm (eq. (12)), and CertFlips at
	// Result.TotalNorm with the Result.Rows poisoned rows relabelled too
	// (CertifiedRelabelled).
	FooledCerts                                []rab.Certificate
	RABRobust, CertEq19, CertAttack, CertFlips float64
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

	// Triggered counts the triggered test rows (those not of the target class; every
	// row for an all-to-all attack) and Fooled those of them that the vanilla
	// classifier assigns to the attacker's target. FooledUntriggered counts the fooled
	// rows that it assigns to the target without the trigger too: errors of the clean
	// classifier, not the backdoor's doing.
	Triggered, Fooled, FooledUntriggered int
	// FooledLabels are the true labels of the fooled rows, and FooledCerts the RAB
	// model's certificates of them.
	FooledLabels []int
	FooledCerts  []rab.Certificate
	// VanillaRobust and RABRobust are the accuracies on the fooled rows (VanillaRobust
	// is 0 by construction).
	VanillaRobust, RABRobust float64
	// CertEq19 and CertAttack are the RAB model's certified accuracies on the fooled
	// rows: R > SingleNorm (eq. (19)) and R > TotalNorm (eq. (12)); CertFlips is the
	// attack run, labels included: FlipRadius(Rows) > TotalNorm (0 unless the model
	// certifies label flips, see Harness.LabelFlips).
	CertEq19, CertAttack, CertFlips float64
	// Rows is the number r ≥ 1 of poisoned training rows.
	Rows int
	// SingleNorm is ‖δ‖ as added to one training or test row (after clipping, rounded
	// up); TotalNorm is √(Σᵢ‖δᵢ‖²) over the r poisoned rows, rounded up.
	SingleNorm, TotalNorm float64
	// Defended holds what each of the harness's Defences did, in order (nil if the
	// attack fooled no row).
	Defended []DefenceResult
	// Variants holds what each of the harness's Variants measured, in order.
	Variants []Certified
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
// set and measures them (and the model's variants) on the clean test rows and, if the
// scenario is poisoned, on the triggered ones.
func (h Harness) Evaluate(ctx context.Context, s Scenario, test dataset.Set) (Result, error) {
	res := Result{Name: s.Name}
	vanilla, err := h.TrainVanilla(ctx, s)
	if err != nil {
		return Result{}, err
	}
	cleanPred, err := predict(vanilla, test.X)
	if err != nil {
		return Result{}, err
	}
	res.VanillaAcc = Accuracy(cleanPred, test.Y)

	model, err := h.TrainRAB(ctx, s)
	if err != nil {
		return Result{}, err
	}
	certifiers := []Certifier{model}
	measured := []Certified{{}}
	for _, v := range h.Variants {
		c, err := v.Of(model)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", v.Name, err)
		}
		certifiers = append(certifiers, c)
		measured = append(measured, Certified{Name: v.Name})
	}
	for k, c := range certifiers {
		m := &measured[k]
		if m.CleanCerts, err = certify(ctx, c, test.X); err != nil {
			return Result{}, err
		}
		m.RABAcc = Accuracy(Classes(m.CleanCerts), test.Y)
		if m.CleanCertAtNorm, err = rab.CertifiedAccuracy(m.CleanCerts, test.Y, h.Attack.Norm); err != nil {
			return Result{}, err
		}
	}
	if s.Poisoned != nil {
		if err := h.evaluateAttack(ctx, s, vanilla, cleanPred, certifiers, measured, test, &res); err != nil {
			return Result{}, err
		}
	}
	res.set(measured)
	return res, nil
}

// set copies the RAB model's measurements, measured[0], into the result's fields, and
// the variants', measured[1:], into Variants.
func (r *Result) set(measured []Certified) {
	m := measured[0]
	r.CleanCerts, r.RABAcc, r.CleanCertAtNorm = m.CleanCerts, m.RABAcc, m.CleanCertAtNorm
	r.FooledCerts, r.RABRobust, r.CertEq19, r.CertAttack, r.CertFlips = m.FooledCerts, m.RABRobust, m.CertEq19, m.CertAttack, m.CertFlips
	if len(measured) > 1 {
		r.Variants = measured[1:]
	}
}

// evaluateAttack measures the RAB model (and its variants) on the triggered test rows
// that fooled the vanilla classifier: robust accuracy, and certified accuracy twice —
// as the paper's eq. (19) (R > ‖δ‖, as if one row were poisoned) and for the attack
// actually run (R > √(Σᵢ‖δᵢ‖²) over the r poisoned rows, eq. (12), ≈ ‖δ‖·√r as
// eq. (13)). cleanPred are the vanilla classifier's predictions of the clean test rows.
func (h Harness) evaluateAttack(ctx context.Context, s Scenario, vanilla Classifier, cleanPred []int, certifiers []Certifier, measured []Certified, test dataset.Set, res *Result) error {
	trig, err := h.Attack.trigger(test, s.Pattern)
	if err != nil {
		return err
	}
	pred, err := predict(vanilla, trig.X)
	if err != nil {
		return err
	}
	var fooledX [][]float64
	var fooledPred []int
	for i, p := range pred {
		if p == trig.Targets[i] {
			fooledX = append(fooledX, trig.X[i])
			res.FooledLabels = append(res.FooledLabels, trig.Labels[i])
			fooledPred = append(fooledPred, p)
			if cleanPred[trig.Indices[i]] == p {
				res.FooledUntriggered++
			}
		}
	}
	res.Triggered, res.Fooled = len(trig.X), len(fooledX)
	res.Rows = s.Poisoned.R
	res.SingleNorm = max(s.Poisoned.MaxNorm, trig.MaxNorm)
	res.TotalNorm = s.Poisoned.TotalNorm
	if res.Fooled == 0 {
		return nil
	}
	res.VanillaRobust = Accuracy(fooledPred, res.FooledLabels)
	for k, c := range certifiers {
		m := &measured[k]
		if m.FooledCerts, err = certify(ctx, c, fooledX); err != nil {
			return err
		}
		m.RABRobust = Accuracy(Classes(m.FooledCerts), res.FooledLabels)
		if m.CertEq19, err = rab.CertifiedAccuracy(m.FooledCerts, res.FooledLabels, res.SingleNorm); err != nil {
			return err
		}
		if m.CertAttack, err = rab.CertifiedAccuracy(m.FooledCerts, res.FooledLabels, res.TotalNorm); err != nil {
			return err
		}
		m.CertFlips = CertifiedRelabelled(m.FooledCerts, res.FooledLabels, res.TotalNorm, res.Rows)
	}
	res.Defended, err = h.defend(ctx, s, fooledX, res.FooledLabels)
	return err
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
