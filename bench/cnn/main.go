// Command cnn is the rab side of bench/cnn (see its README): it trains the reference
// MNIST CNN with package ensemble/cnn on MNIST 1-vs-0, or times ensemble.VotesBatch on
// an ensemble of such members, and prints one JSON object, the same fields as
// torch_cnn.py.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/cnn"
	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

func main() {
	mode := flag.String("mode", "train", "train: time the training of one CNN; votes: time VotesBatch")
	epochs := flag.Int("epochs", 1, "train: epochs")
	threads := flag.Int("threads", 2, "train: threads of the fit (cnn.WithThreads); votes: vote workers")
	members := flag.Int("members", 20, "votes: ensemble members")
	memberEpochs := flag.Int("member-epochs", 1, "votes: epochs per member")
	sigma := flag.Float64("sigma", 0.5, "votes: Gaussian noise σ of the ensemble")
	seed := flag.Uint64("seed", 1, "seed")
	data := flag.String("mnist", "", "directory of the four MNIST IDX files (default: the GoMNIST module)")
	flag.Parse()
	if err := run(*mode, *epochs, *threads, *members, *memberEpochs, *sigma, *seed, *data); err != nil {
		fmt.Fprintln(os.Stderr, "cnn:", err)
		os.Exit(1)
	}
}

// binary keeps the rows labelled 0 or 1, as the reference's BinaryDataset(1, 0) does.
func binary(s dataset.Set) (X [][]float64, y []int) {
	for i, label := range s.Y {
		if label == 0 || label == 1 {
			X, y = append(X, s.X[i]), append(y, label)
		}
	}
	return X, y
}

func run(mode string, epochs, threads, members, memberEpochs int, sigma float64, seed uint64, dir string) error {
	train, test, err := dataset.MNIST(dir)
	if err != nil {
		return err
	}
	X, y := binary(train)
	Xt, yt := binary(test)
	out := map[string]any{"peer": "rab", "go": runtime.Version(), "threads": threads, "train_rows": len(X), "test_rows": len(Xt)}
	ctx := context.Background()
	switch mode {
	case "train":
		l, err := cnn.New(cnn.WithImageShape(28, 28, 1), cnn.WithEpochs(epochs), cnn.WithThreads(threads))
		if err != nil {
			return err
		}
		start := time.Now()
		m, err := l.FitModel(ctx, X, y, 2, seed)
		if err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		acc, err := accuracy(m, Xt, yt)
		if err != nil {
			return err
		}
		out["mode"], out["epochs"], out["seconds"], out["seconds_per_epoch"], out["accuracy"] = "train", epochs, secs, secs/float64(epochs), acc
	case "votes":
		l, err := cnn.New(cnn.WithImageShape(28, 28, 1), cnn.WithEpochs(memberEpochs))
		if err != nil {
			return err
		}
		noise, err := smoothing.Gaussian(sigma)
		if err != nil {
			return err
		}
		e, err := ensemble.Train(ctx, X, y, l, noise, ensemble.WithModels(members), ensemble.WithSeed(seed), ensemble.WithWorkers(threads))
		if err != nil {
			return err
		}
		var ones [][]float64 // the non-target test rows the reference certifies
		for i, label := range yt {
			if label == 1 {
				ones = append(ones, Xt[i])
			}
		}
		start := time.Now()
		counts, err := e.WithVoteWorkers(threads).VotesBatch(ctx, ones)
		if err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		correct := 0
		for _, c := range counts {
			if c[1] > c[0] {
				correct++
			}
		}
		memberAcc := 0.0
		for _, m := range e.Models() {
			acc, err := accuracy(m, Xt, yt)
			if err != nil {
				return err
			}
			memberAcc += acc / float64(members)
		}
		out["mode"], out["members"], out["inputs"], out["seconds"] = "votes", members, len(ones), secs
		out["votes_per_second"] = float64(members*len(ones)) / secs
		out["member_accuracy"], out["smoothed_accuracy"] = memberAcc, float64(correct)/float64(len(ones))
	default:
		return fmt.Errorf("unknown -mode %q: want train or votes", mode)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// accuracy returns the fraction of the rows X that m classifies as y.
func accuracy(m ensemble.Model, X [][]float64, y []int) (float64, error) {
	pred := make([]int, len(X))
	if err := m.Predict(X, pred); err != nil {
		return 0, err
	}
	correct := 0
	for i := range y {
		if pred[i] == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(y)), nil
}
