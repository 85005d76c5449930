package rab

import (
	"fmt"
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// Norm names the norm in which a Certificate's Radius bounds the backdoor.
type Norm int

const (
	// L2 is the bound of Gaussian smoothing, Corollary 1: Radius bounds
	// sqrt(Σ_i ‖δ_i‖₂²) over all poisoned training rows (eq. (12)).
	L2 Norm = iota
	// L1 is the bound of uniform smoothing derived from Corollary 2: Radius bounds
	// Σ_i ‖δ_i‖₁ over all poisoned training rows (bound.UniformL1Radius).
	L1
)

// String returns "L2" or "L1" ("Norm(n)" for other values).
func (n Norm) String() string {
	switch n {
	case L2:
		return "L2"
	case L1:
		return "L1"
	}
	return fmt.Sprintf("Norm(%d)", int(n))
}

// MarshalText implements encoding.TextMarshaler: "L2" or "L1", so that a Certificate's
// JSON says "norm": "L2". Other values are an error wrapping ErrInvalidInput.
func (n Norm) MarshalText() ([]byte, error) {
	if n != L2 && n != L1 {
		return nil, errs.Invalid("rab: %v is neither L2 nor L1", n)
	}
	return []byte(n.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler for "L2" and "L1"; other text is
// an error wrapping ErrCorrupt.
func (n *Norm) UnmarshalText(text []byte) error {
	switch string(text) {
	case "L2":
		*n = L2
	case "L1":
		*n = L1
	default:
		return errs.Corrupt("rab: norm %q: want \"L2\" or \"L1\"", text)
	}
	return nil
}

// Certificate is the certified prediction of a smoothed classifier for one input.
//
// Class is the predicted class y_A. PA is a lower bound on the smoothed classifier's
// probability of y_A and PB an upper bound on that of every other class (eq. (11)); for
// the exact K-NN smoother they are the exact probabilities widened by the reported
// numerical error, for ensembles the simultaneous confidence bounds of Algorithm 2.
// Radius is the certified radius: no backdoor in the training set whose norm (see Norm)
// is below Radius can change the prediction. Abstained is true when PA ≤ PB: Class is
// then the most likely class but nothing is certified and Radius is 0.
//
// Its JSON form (encoding/json) is stable:
//
//	{"class":1,"pa":0.97,"pb":0.03,"radius":1.93,"abstained":false,"norm":"L2"}
//
// with the fields in that order, numbers in Go's shortest round-trip form and "norm"
// "L2" or "L1"; exact K-NN certificates end with
// "quantisation":{"ties":…,"last_bucket":…} (see Quantisation), followed, when made
// with WithLabelFlips(r), by "label_flips":{"shift":[M_1,…,M_r],"radius":[R_1,…,R_r]}
// (see LabelFlips). Certificates made by
// rab have PA < 1, so Radius is finite and the form needs no infinity (which JSON
// lacks: encoding/json refuses to marshal an infinite or NaN field).
type Certificate struct {
	Class     int     `json:"class"`
	PA        float64 `json:"pa"`
	PB        float64 `json:"pb"`
	Radius    float64 `json:"radius"`
	Abstained bool    `json:"abstained"`
	// Norm is the norm Radius is measured in: L2 (the zero value) for Gaussian
	// smoothing, L1 for uniform smoothing.
	Norm Norm `json:"norm"`
	// Quantisation says, for exact K-NN certificates, how much of the prediction rests
	// on the quantisation of distances instead of on the distances; nil (and absent
	// from the JSON form) for ensembles.
	Quantisation *Quantisation `json:"quantisation,omitempty"`
	// LabelFlips holds, for exact K-NN certificates made with WithLabelFlips(r), the
	// bounds behind FlipRadius(k) for 1 ≤ k ≤ r; nil (and absent from the JSON form)
	// otherwise.
	LabelFlips *LabelFlips `json:"label_flips,omitempty"`
}

// LabelFlips holds what an exact K-NN certificate says about relabelled training
// rows (package knn's documentation, "Label flips", has the proof), in JSON
// {"shift":[M_1,…,M_r],"radius":[R_1,…,R_r]}.
//
// Relabelling training rows changes the smoothed K-NN only where one of them votes,
// so relabelling any k rows moves every class probability by at most M_k, the sum of
// the k largest probabilities that a training row is among the K voters (plus the
// evaluation's error). Corollary 1 applied to the relabelled training set then
// certifies
//
//	R_k = σ/2·(Φ⁻¹(pA − M_k) − Φ⁻¹(pB + M_k))   (0 when pA − M_k ≤ pB + M_k):
//
// no training set that differs from the one the model was trained on in the labels
// of at most k rows and by feature changes of total L2 norm √(Σ_i‖δ_i‖²) < R_k
// changes the prediction. The rows relabelled and the rows moved need not be the
// same; the attack of eq. (2) relabels and moves the same r rows.
type LabelFlips struct {
	// Shift[k−1] is M_k, an upper bound on how far relabelling any k training rows
	// moves a class probability. It does not decrease with k and is at most 1.
	Shift []float64 `json:"shift"`
	// Radius[k−1] is R_k, the radius certified with k relabelled rows (FlipRadius). It
	// does not increase with k and is at most Radius.
	Radius []float64 `json:"radius"`
}

// Quantisation holds upper bounds (exact values plus their reported numerical error)
// on two probabilities of an exact K-NN certificate's smoothed classifier (package
// knn, Evaluation), in JSON {"ties":…,"last_bucket":…}.
//
// A certificate is sound whatever the quantisation, but LastBucket near 1 means it is
// useless: the squared distances lie beyond the last edge (features far larger than
// σ), and the first K training rows vote whatever the input. Scale the features,
// choose σ on the scale of the distances between neighbours, or pass WithEdges. rab
// reports these numbers instead of refusing to certify past a threshold: the
// certificate remains true for the deployed classifier, no threshold fits every use
// (ties between points of one label decide nothing), and the caller can apply its own
// policy per input; the knn package documentation gives the full argument.
type Quantisation struct {
	// Ties bounds the probability that the K-th and (K+1)-th nearest neighbours share
	// a bucket, so that the training-row order, not the distance, chose the voters. It
	// bounds the probability that the row order matters; ties between points of one
	// class are counted but harmless.
	Ties float64 `json:"ties"`
	// LastBucket bounds the probability that the K-th neighbour lies in the unbounded
	// last bucket, beyond the last finite edge.
	LastBucket float64 `json:"last_bucket"`
}

// PatternRadius returns the certified norm of one pattern δ added to r training rows.
// For L2 certificates it is Radius/√r (Corollary 1, eq. (13)); for L1 certificates it is
// Radius/r, since r copies of δ have total L1 norm r‖δ‖₁. It returns 0 when the
// certificate abstained or r < 1.
func (c Certificate) PatternRadius(r int) float64 {
	if c.Abstained || r < 1 {
		return 0
	}
	if c.Norm == L1 {
		return c.Radius / float64(r)
	}
	return c.Radius / math.Sqrt(float64(r))
}

// Certifies reports whether a backdoor of the given total norm (in c.Norm, over all
// poisoned rows) provably cannot change the prediction: the certificate did not abstain
// and norm < Radius.
func (c Certificate) Certifies(norm float64) bool {
	return !c.Abstained && norm < c.Radius
}

// CertifiesPattern reports whether one pattern δ of the given norm added to r training
// rows provably cannot change the prediction: norm < PatternRadius(r).
func (c Certificate) CertifiesPattern(norm float64, r int) bool {
	return !c.Abstained && r >= 1 && norm < c.PatternRadius(r)
}

// FlipRadius returns the radius certified when up to k training rows may also have
// been relabelled: no training set that differs from the given one in the labels of
// at most k rows and by feature changes of total L2 norm below FlipRadius(k) (over
// all rows, √(Σ_i‖δ_i‖²)) can change the prediction (see LabelFlips). FlipRadius(0) is
// Radius. It is 0 for k < 0, for k beyond the certificate's LabelFlips (no
// WithLabelFlips, or WithLabelFlips(r) with r < k), and where k relabelled rows
// cannot be certified; it does not increase with k.
func (c Certificate) FlipRadius(k int) float64 {
	switch {
	case k == 0:
		return c.Radius
	case k < 0 || c.LabelFlips == nil || k > len(c.LabelFlips.Radius):
		return 0
	}
	return c.LabelFlips.Radius[k-1]
}

// CertifiesAttack reports whether the attack of eq. (2) with rows poisoned rows —
// each relabelled and carrying a pattern of L2 norm at most norm — provably cannot
// change the prediction: the certificate did not abstain and
// norm·√rows < FlipRadius(rows). Its rounding is covered by the radius's margin
// (bound.GaussianRadius), as in CertifiesPattern. rows = 0 is the clean training
// set. CertifiesAttack(norm, 1) implies Certifies(norm).
func (c Certificate) CertifiesAttack(norm float64, rows int) bool {
	return !c.Abstained && rows >= 0 && norm*math.Sqrt(float64(rows)) < c.FlipRadius(rows)
}

// CertifiedAccuracy returns the certified accuracy at the given backdoor norm, eq. (19)
// of the paper: the fraction of certificates that did not abstain, predict the true
// label and have Radius > norm.
func CertifiedAccuracy(certs []Certificate, labels []int, norm float64) (float64, error) {
	if len(certs) == 0 {
		return 0, errs.Invalid("rab: CertifiedAccuracy: no certificates")
	}
	if len(certs) != len(labels) {
		return 0, errs.Invalid("rab: CertifiedAccuracy: %d certificates but %d labels: want one label per certificate", len(certs), len(labels))
	}
	if !(norm >= 0) || math.IsInf(norm, 1) {
		return 0, errs.Invalid("rab: CertifiedAccuracy: norm = %v: want a finite norm ≥ 0", norm)
	}
	correct := 0
	for i, c := range certs {
		if c.Class == labels[i] && c.Certifies(norm) {
			correct++
		}
	}
	return float64(correct) / float64(len(certs)), nil
}
