package bound

import (
	"fmt"
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// invalid names the call that rejected its arguments: "bound: call: what is
// wrong". The error wraps ErrInvalidInput (and err, which may locate the problem
// in a matrix as an *errs.InputError).
func invalid(call string, err error) error {
	return errs.Invalid("bound: %s: %w", call, err)
}

// checkFinite rejects NaN and ±Inf.
func checkFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s must be a finite number, got %v", name, v)
	}
	return nil
}

// checkSigma accepts a finite, positive noise scale σ.
func checkSigma(sigma float64) error {
	if err := checkFinite("sigma", sigma); err != nil {
		return err
	}
	if sigma <= 0 {
		return fmt.Errorf("sigma must be positive, got %v", sigma)
	}
	return nil
}

// checkProb accepts a probability in [0, 1].
func checkProb(name string, p float64) error {
	if err := checkFinite(name, p); err != nil {
		return err
	}
	if p < 0 || p > 1 {
		return fmt.Errorf("%s must lie in [0, 1], got %v", name, p)
	}
	return nil
}

// checkProbs accepts class-probability bounds 0 ≤ pB ≤ pA ≤ 1.
func checkProbs(pA, pB float64) error {
	if err := checkProb("pA", pA); err != nil {
		return err
	}
	if err := checkProb("pB", pB); err != nil {
		return err
	}
	if pA < pB {
		return fmt.Errorf("pA (%v) must not be smaller than pB (%v): pA bounds the top class from below, pB every other class from above", pA, pB)
	}
	return nil
}

// checkInterval accepts the support [a, b] of uniform noise: finite, a < b,
// and b − a representable.
func checkInterval(a, b float64) error {
	if err := checkFinite("a", a); err != nil {
		return err
	}
	if err := checkFinite("b", b); err != nil {
		return err
	}
	if a >= b {
		return fmt.Errorf("uniform noise needs a < b, got a = %v, b = %v", a, b)
	}
	if math.IsInf(b-a, 0) {
		return fmt.Errorf("the width b − a of [%v, %v] overflows float64", a, b)
	}
	return nil
}

// checkUniform accepts uniform noise on [a, b] and bounds pB ≤ pA.
func checkUniform(a, b, pA, pB float64) error {
	if err := checkInterval(a, b); err != nil {
		return err
	}
	return checkProbs(pA, pB)
}

// checkCount accepts a count of at least 1 (d coordinates, r instances).
func checkCount(name string, v int, meaning string) error {
	if v < 1 {
		return fmt.Errorf("%s (%s) must be at least 1, got %d", name, meaning, v)
	}
	return nil
}

// checkAlpha accepts a significance level 0 < α < 1.
func checkAlpha(alpha float64) error {
	if math.IsNaN(alpha) || alpha <= 0 || alpha >= 1 {
		return fmt.Errorf("alpha must lie in (0, 1), got %v", alpha)
	}
	return nil
}

// checkBinomial accepts k successes out of n ≥ 1 trials, 0 ≤ k ≤ n, and a
// significance level 0 < α < 1.
func checkBinomial(k, n int, alpha float64) error {
	if n <= 0 {
		return fmt.Errorf("the number of trials n must be positive, got %d", n)
	}
	if k < 0 || k > n {
		return fmt.Errorf("the number of successes k must lie in [0, n] = [0, %d], got %d", n, k)
	}
	return checkAlpha(alpha)
}
