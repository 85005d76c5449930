package main

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkTrainProcessesCLI: wall time of training N = 1,000 logistic members on all
// 4,601 Spambase rows (internal/dataset/spambase.csv, 57 raw features, σ = 0.5) with
// the rab command in one process (rab train), and in two processes at once (rab train
// -shard 0/2 and 1/2) followed by rab merge; each iteration runs both, one after the
// other, so that they see the same load. Both write the same model file. Wall time
// includes process start-up, reading the CSV file and writing the files; it reports
// the mean wall and CPU time (user + system of the processes) of each, and their ratio
// of wall times. Run with -benchtime 3x.
func BenchmarkTrainProcessesCLI(b *testing.B) {
	data, err := filepath.Abs(filepath.Join("..", "..", "internal", "dataset", "spambase.csv"))
	if err != nil {
		b.Fatal(err)
	}
	flags := []string{"-models", "1000", "-sigma", "0.5", "-seed", "1"}
	var wall, cpu [2]time.Duration
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		cpu[0] += runProcesses(b, rabCmd(b, dir, append(append([]string{"train", "-o", "one.rab"}, flags...), data)...))
		wall[0] += time.Since(start)

		start = time.Now()
		cpu[1] += runProcesses(b,
			rabCmd(b, dir, append(append([]string{"train", "-shard", "0/2"}, flags...), data)...),
			rabCmd(b, dir, append(append([]string{"train", "-shard", "1/2"}, flags...), data)...))
		cpu[1] += runProcesses(b, rabCmd(b, dir, "merge", "-o", "merged.rab", "shard-0-of-2.rab", "shard-1-of-2.rab"))
		wall[1] += time.Since(start)

		one, err1 := fileSHA256(filepath.Join(dir, "one.rab"))
		merged, err2 := fileSHA256(filepath.Join(dir, "merged.rab"))
		if err1 != nil || err2 != nil || one != merged {
			b.Fatal("the two ways give different model files", err1, err2)
		}
	}
	for i, name := range []string{"1proc", "2proc"} {
		b.ReportMetric(wall[i].Seconds()/float64(b.N), "wall-s/"+name)
		b.ReportMetric(cpu[i].Seconds()/float64(b.N), "cpu-s/"+name)
	}
	b.ReportMetric(wall[0].Seconds()/wall[1].Seconds(), "speedup")
}

// runProcesses runs the commands at once and returns their total CPU time.
func runProcesses(b *testing.B, cmds ...*exec.Cmd) time.Duration {
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
	}
	var cpu time.Duration
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			b.Fatal(cmd.Args, err)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return cpu
}
