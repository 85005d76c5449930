package experiment

import "github.com/rabcert/rab"

// Accuracy is the fraction of predictions equal to their label, pred[i] == labels[i]
// (NaN for no labels). pred must be as long as labels.
func Accuracy(pred, labels []int) float64 {
	correct := 0
	for i, p := range pred {
		if p == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(labels))
}

// Classes returns the predicted class of every certificate (an abstaining certificate's
// Class is its most-voted class).
func Classes(certs []rab.Certificate) []int {
	out := make([]int, len(certs))
	for i, c := range certs {
		out[i] = c.Class
	}
	return out
}

// AbstainRate is the fraction of certificates that abstain (NaN for none).
func AbstainRate(certs []rab.Certificate) float64 {
	n := 0
	for _, c := range certs {
		if c.Abstained {
			n++
		}
	}
	return float64(n) / float64(len(certs))
}

// CertifiedRelabelled is the certified accuracy against rows relabelled training rows
// combined with feature changes of total L2 norm total: the fraction of certificates
// that predict their label and have total < FlipRadius(rows) (rab.WithLabelFlips(r)
// with r ≥ rows; 0 without it), NaN for none. certs and labels have one entry per row.
func CertifiedRelabelled(certs []rab.Certificate, labels []int, total float64, rows int) float64 {
	n := 0
	for i, c := range certs {
		if c.Class == labels[i] && !c.Abstained && total < c.FlipRadius(rows) {
			n++
		}
	}
	return float64(n) / float64(len(certs))
}
