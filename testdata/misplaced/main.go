// Command misplaced does not compile: TestMisplacedOptionsDoNotCompile builds it and
// expects exactly the errors marked ERROR, each matching its regular expression.
package main

import (
	"context"
	"strings"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/ensemble"
)

func main() {
	ctx, r, e := context.Background(), strings.NewReader(""), (*ensemble.Ensemble)(nil)

	// The certification options (CertifyOption) go everywhere.
	_, _ = rab.Train(ctx, nil, nil, rab.WithSigma(1), rab.WithAlpha(0.01), rab.WithWorkers(2), rab.WithProgress(nil), rab.WithLabelFlips(1))
	_, _ = rab.Certify(ctx, nil, nil, nil, rab.WithKNN(3), rab.WithSigma(1), rab.WithWorkers(2), rab.WithLabelFlips(1))
	_, _ = rab.Load(r, rab.WithAlpha(0.01), rab.WithWorkers(2), rab.WithProgress(nil), rab.WithLabelFlips(1))
	_, _ = rab.FromEnsemble(e, rab.WithAlpha(0.01), rab.WithWorkers(2), rab.WithProgress(nil), rab.WithLabelFlips(1))

	// The training options do not compile where a trained model is loaded or wrapped.
	_, _ = rab.Load(r, rab.WithSigma(1))              // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithUniform(-1, 1))        // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithKNN(3))                // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithLevels(10))            // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithEdges(nil))            // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithLearner(nil))          // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithModels(3))             // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithSeed(1))               // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.Load(r, rab.WithClasses(2))            // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithSigma(99))     // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithModels(3))     // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithKNN(5))        // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithSeed(1))       // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithLearner(nil))  // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithClasses(2))    // ERROR "rab.Option does not implement rab.LoadOption"
	_, _ = rab.FromEnsemble(e, rab.WithUniform(0, 1)) // ERROR "rab.Option does not implement rab.LoadOption"

	// Nor does a list of training options, nor a LoadOption where training options go.
	var train []rab.Option
	var load rab.LoadOption
	_, _ = rab.Load(r, train...)                 // ERROR "cannot use train \(variable of type \[\]rab.Option\) as \[\]rab.LoadOption value"
	_, _ = rab.Train(ctx, nil, nil, load)        // ERROR "rab.LoadOption does not implement rab.Option"
	_, _ = rab.Certify(ctx, nil, nil, nil, load) // ERROR "rab.LoadOption does not implement rab.Option"
}
