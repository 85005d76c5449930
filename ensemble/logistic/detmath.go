package logistic

import "github.com/rabcert/rab/internal/detmath"

// exp, log and ln 2 come from internal/detmath, which gives the same bits on every
// machine (a fitted model's bytes seed its test-time noise).
func exp(x float64) float64 { return detmath.Exp(x) }
func log(x float64) float64 { return detmath.Log(x) }

const ln2Hi, ln2Lo = detmath.Ln2Hi, detmath.Ln2Lo
