// Command rabknn is rab's side of the K-NN comparison in bench/knn (see its README):
//
//	rabknn dump -dir D
//	    writes D/train.csv and D/test.csv: Spambase with the reference code's 56
//	    features, split 80/20 with the seed rab's benchmarks use (2023), label last.
//	rabknn time -dir D [-edges FILE] [-sigma 1] [-k 1] [-inputs 10] [-rounds 5]
//	    builds the exact smoothed K-NN on D/train.csv (one worker), evaluates the first
//	    inputs rows of D/test.csv once to build the CDF tables (reported as "cold"),
//	    then rounds more times, and prints the CPU time per input of the first pass and
//	    the best and median of the others, then the class probabilities of each input.
//	    Without -edges it uses the default edges; FILE holds one finite edge per line.
//
// CPU time (getrusage) instead of wall time, so that other processes on a shared
// machine count less; run it with GOMAXPROCS=1 for one core.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/knn"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: rabknn dump|time [flags]")
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := flags.String("dir", ".", "directory of train.csv and test.csv")
	edgesFile := flags.String("edges", "", "file of edges, one per line (default: knn.DefaultEdges)")
	sigma := flags.Float64("sigma", 1, "noise σ")
	k := flags.Int("k", 1, "neighbours K")
	inputs := flags.Int("inputs", 10, "test rows to evaluate")
	rounds := flags.Int("rounds", 5, "timed passes after the first")
	if err := flags.Parse(os.Args[2:]); err != nil {
		log.Fatal(err)
	}
	var err error
	switch os.Args[1] {
	case "dump":
		err = dump(*dir)
	case "time":
		err = run(*dir, *edgesFile, *sigma, *k, *inputs, *rounds)
	default:
		err = fmt.Errorf("unknown command %q: want dump or time", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func dump(dir string) error {
	all, err := dataset.SpambaseRAB()
	if err != nil {
		return err
	}
	train, test := dataset.Split(all, 0.2, 2023)
	for name, set := range map[string]dataset.Set{"train.csv": train, "test.csv": test} {
		if err := writeCSV(filepath.Join(dir, name), set); err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(path string, set dataset.Set) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	for i, row := range set.X {
		rec := make([]string, 0, len(row)+1)
		for _, v := range row {
			rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
		}
		if err := w.Write(append(rec, strconv.Itoa(set.Y[i]))); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

func readCSV(path string) ([][]float64, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	X, y := make([][]float64, len(recs)), make([]int, len(recs))
	for i, rec := range recs {
		X[i] = make([]float64, len(rec)-1)
		for j, s := range rec[:len(rec)-1] {
			if X[i][j], err = strconv.ParseFloat(s, 64); err != nil {
				return nil, nil, err
			}
		}
		if y[i], err = strconv.Atoi(rec[len(rec)-1]); err != nil {
			return nil, nil, err
		}
	}
	return X, y, nil
}

func readEdges(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var edges []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, err := strconv.ParseFloat(sc.Text(), 64)
		if err != nil {
			return nil, err
		}
		edges = append(edges, v)
	}
	return edges, sc.Err()
}

func run(dir, edgesFile string, sigma float64, k, inputs, rounds int) error {
	X, y, err := readCSV(filepath.Join(dir, "train.csv"))
	if err != nil {
		return err
	}
	tests, _, err := readCSV(filepath.Join(dir, "test.csv"))
	if err != nil {
		return err
	}
	tests = tests[:min(inputs, len(tests))]
	opts := []knn.Option{knn.WithSigma(sigma), knn.WithK(k), knn.WithClasses(2), knn.WithWorkers(1)}
	if edgesFile != "" {
		edges, err := readEdges(edgesFile)
		if err != nil {
			return err
		}
		opts = append(opts, knn.WithEdges(edges))
	}
	s, err := knn.New(X, y, opts...)
	if err != nil {
		return err
	}
	pass := func() ([][]float64, time.Duration, error) {
		start := cpuTime()
		probs := make([][]float64, len(tests))
		for i, x := range tests {
			if probs[i], err = s.Probabilities(x); err != nil {
				return nil, 0, err
			}
		}
		return probs, (cpuTime() - start) / time.Duration(len(tests)), nil
	}
	probs, cold, err := pass()
	if err != nil {
		return err
	}
	var times []time.Duration
	for range rounds {
		_, t, err := pass()
		if err != nil {
			return err
		}
		times = append(times, t)
	}
	slices.Sort(times)
	fmt.Printf("cold %.6f\n", cold.Seconds())
	if len(times) > 0 {
		fmt.Printf("best %.6f\nmedian %.6f\n", times[0].Seconds(), times[len(times)/2].Seconds())
	}
	for _, p := range probs {
		fmt.Printf("probs %.17g %.17g\n", p[0], p[1])
	}
	return nil
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
