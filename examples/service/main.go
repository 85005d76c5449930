package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/dataset"
)

// config holds the command's flags.
type config struct {
	modelPath       string
	train           bool
	addr            string
	limits          limits
	shutdownTimeout time.Duration
	workers         int
	quiet           bool
}

func parseFlags(flags *flag.FlagSet, args []string) (config, error) {
	var c config
	flags.StringVar(&c.modelPath, "model", "spambase-knn.rab", "model file written by rab.Model.Save; the demo model is trained and saved here if it does not exist")
	flags.BoolVar(&c.train, "train", false, "train the demo model and save it to -model even if the file exists")
	flags.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	flags.Int64Var(&c.limits.maxBody, "max-body", 1<<20, "largest request body in bytes")
	flags.IntVar(&c.limits.maxInputs, "max-inputs", 256, "most inputs per request")
	flags.Float64Var(&c.limits.maxAbs, "max-abs", 1e6, "largest absolute feature value accepted; 0 for no limit")
	flags.DurationVar(&c.limits.timeout, "timeout", 30*time.Second, "certification time limit per request; 0 for none")
	flags.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long shutdown waits for requests in flight")
	flags.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "goroutines certifying each request")
	flags.BoolVar(&c.quiet, "quiet", false, "log only warnings and errors, not every request")
	if err := flags.Parse(args); err != nil {
		return c, err
	}
	switch {
	case c.limits.maxBody < 1 || c.limits.maxInputs < 1 || c.workers < 1:
		return c, errors.New("-max-body, -max-inputs and -workers must be at least 1")
	case !(c.limits.maxAbs >= 0) || c.limits.timeout < 0 || c.shutdownTimeout < 0:
		return c, errors.New("-max-abs, -timeout and -shutdown-timeout must not be negative")
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags(flag.CommandLine, os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(2)
	}
	log := newLogger(os.Stderr, cfg.quiet)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, log)
	stop()
	if err != nil {
		log.Error("service failed", "err", err)
		os.Exit(1)
	}
}

// newLogger logs to w: everything, or with quiet only warnings and errors.
func newLogger(w io.Writer, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// run loads (or trains) the model and serves it on cfg.addr until ctx is cancelled.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	model, err := loadOrTrain(ctx, cfg.modelPath, cfg.train, cfg.workers, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "model", cfg.modelPath, "kind", model.Kind(),
		"classes", model.Classes(), "dim", model.Dim())
	return serve(ctx, newServer(newHandler(model, cfg.limits, log), cfg.limits.timeout, log), ln, cfg.shutdownTimeout, log)
}

// loadOrTrain loads the model saved at path. If there is no such file, or retrain is
// set, it trains the demo model and saves it to path first.
func loadOrTrain(ctx context.Context, path string, retrain bool, workers int, log *slog.Logger) (*rab.Model, error) {
	if !retrain {
		m, err := loadModel(path, workers)
		if !errors.Is(err, fs.ErrNotExist) {
			return m, err
		}
		log.Info("no model file: training the demo model", "path", path)
	}
	start := time.Now()
	m, err := trainDemo(ctx, workers)
	if err != nil {
		return nil, err
	}
	if err := saveModel(path, m); err != nil {
		return nil, err
	}
	log.Info("trained and saved the demo model", "path", path, "duration", time.Since(start))
	return m, nil
}

// loadModel reads a model written by rab.Model.Save.
func loadModel(path string, workers int) (*rab.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := rab.Load(f, rab.WithWorkers(workers))
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	return m, nil
}

// saveModel writes m to path atomically: to a temporary file in the same directory,
// renamed into place once complete.
func saveModel(path string, m *rab.Model) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := m.Save(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// demoSplitSeed is the seed of the demo's 80/20 Spambase split.
const demoSplitSeed = 1

// trainDemo trains the exact smoothed K-NN classifier (K = 3, σ = 0.5) on the embedded
// Spambase training split.
func trainDemo(ctx context.Context, workers int) (*rab.Model, error) {
	set, err := dataset.SpambaseRAB()
	if err != nil {
		return nil, err
	}
	train, _ := dataset.Split(set, 0.2, demoSplitSeed)
	return rab.Train(ctx, train.X, train.Y, rab.WithKNN(3), rab.WithSigma(0.5), rab.WithWorkers(workers))
}

// newServer wraps h in an http.Server with timeouts that suit certification taking up
// to certifyTimeout per request.
func newServer(h http.Handler, certifyTimeout time.Duration, log *slog.Logger) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if certifyTimeout > 0 {
		srv.WriteTimeout = srv.ReadTimeout + certifyTimeout
	}
	return srv
}

// serve serves srv on ln until ctx is cancelled, then shuts down gracefully: it stops
// accepting connections and waits up to grace for requests in flight before closing
// them.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
