package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/dataset"
)

// startServer serves h on a free local port with serve, as main does. It returns the
// base URL, a function that stops the server, and a channel that receives serve's result.
func startServer(t *testing.T, h http.Handler, grace time.Duration) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	result := make(chan error, 1)
	go func() { result <- serve(ctx, newServer(h, time.Second, discard), ln, grace, discard) }()
	return "http://" + ln.Addr().String(), stop, result
}

func postJSON(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// waitResult returns serve's result, failing the test if it takes over 5 s.
func waitResult(t *testing.T, result <-chan error) error {
	t.Helper()
	select {
	case err := <-result:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after shutdown")
		return nil
	}
}

// TestLoadAndServe saves a small model, loads it with main's loadOrTrain, serves it on
// a real socket, certifies, and shuts down.
func TestLoadAndServe(t *testing.T) {
	m, tests := small(t)
	path := filepath.Join(t.TempDir(), "small.rab")
	require.NoError(t, saveModel(path, m))
	loaded, err := loadOrTrain(context.Background(), path, false, 1, discard)
	require.NoError(t, err)
	assert.Equal(t, m.Dim(), loaded.Dim())

	url, stop, result := startServer(t, newHandler(loaded, testLimits, discard), time.Second)
	status, body := postJSON(t, url+"/certify", fmt.Sprintf(`{"inputs": %s, "poisoned_rows": 2}`, inputsJSON(t, tests[:3])))
	require.Equal(t, http.StatusOK, status, string(body))
	var resp certifyResponse
	require.NoError(t, json.Unmarshal(body, &resp))
	require.Len(t, resp.Certificates, 3)
	for i, got := range resp.Certificates {
		want, err := m.Certify(context.Background(), tests[i]) // the model before saving
		require.NoError(t, err)
		assert.Equal(t, want.Class, got.Class)
		assert.Equal(t, want.PA, got.PA)
		assert.Equal(t, want.PB, got.PB)
		assert.Equal(t, want.Radius, got.Radius)
		assert.Equal(t, want.PatternRadius(2), got.PatternRadius)
	}
	stop()
	require.NoError(t, waitResult(t, result))
	_, err = http.Post(url+"/certify", "application/json", strings.NewReader("{}"))
	assert.Error(t, err, "the server no longer accepts connections")
}

func TestLoadOrTrainDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.rab")
	trained, err := loadOrTrain(context.Background(), path, false, 2, discard)
	require.NoError(t, err, "no file: trains the demo model")
	assert.Equal(t, rab.KindKNN, trained.Kind())
	assert.Equal(t, 2, trained.Classes())
	assert.Equal(t, 56, trained.Dim())
	loaded, err := loadModel(path, 2)
	require.NoError(t, err, "and saves it")

	set, err := dataset.SpambaseRAB()
	require.NoError(t, err)
	_, test := dataset.Split(set, 0.2, demoSplitSeed)
	want, err := trained.Certify(context.Background(), test.X[0])
	require.NoError(t, err)
	got, err := loaded.Certify(context.Background(), test.X[0])
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.False(t, want.Abstained)

	// A corrupt file is an error, unless -train replaces it.
	require.NoError(t, os.WriteFile(path, []byte("RABMODEL garbage"), 0o600))
	_, err = loadOrTrain(context.Background(), path, false, 2, discard)
	require.ErrorContains(t, err, "loading "+path)
	retrained, err := loadOrTrain(context.Background(), path, true, 2, discard)
	require.NoError(t, err)
	got, err = retrained.Certify(context.Background(), test.X[0])
	require.NoError(t, err)
	assert.Equal(t, want, got)
	_, err = loadModel(path, 2)
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary files left behind")
}

func TestLoadOrTrainUnwritablePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "m.rab")
	_, err := loadOrTrain(context.Background(), path, false, 1, discard)
	require.ErrorContains(t, err, "missing-dir")
}

// TestGracefulShutdown checks that shutdown waits for a request in flight, and that
// after the grace period it closes the connection, which cancels the certification.
func TestGracefulShutdown(t *testing.T) {
	// slow certifies once release is closed, or fails when its context ends.
	slow := func(started chan<- struct{}, release <-chan struct{}) fakeModel {
		return fakeModel{dim: 2, certify: func(ctx context.Context, _ [][]float64) ([]rab.Certificate, error) {
			started <- struct{}{}
			select {
			case <-release:
				return []rab.Certificate{{Class: 1, PA: 0.9, PB: 0.1, Radius: 1}}, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}}
	}

	t.Run("waits for requests in flight", func(t *testing.T) {
		started, release := make(chan struct{}, 1), make(chan struct{})
		url, stop, result := startServer(t, newHandler(slow(started, release), testLimits, discard), 5*time.Second)
		status := make(chan int, 1)
		go func() {
			resp, err := http.Post(url+"/certify", "application/json", strings.NewReader(`{"input": [1, 2]}`))
			if err != nil {
				status <- 0
				return
			}
			resp.Body.Close()
			status <- resp.StatusCode
		}()
		<-started
		stop()
		select {
		case err := <-result:
			t.Fatalf("serve returned %v with a request in flight", err)
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		assert.Equal(t, http.StatusOK, <-status)
		require.NoError(t, waitResult(t, result))
	})

	t.Run("closes connections after the grace period", func(t *testing.T) {
		started := make(chan struct{}, 1)
		url, stop, result := startServer(t, newHandler(slow(started, nil), testLimits, discard), 50*time.Millisecond)
		go http.Post(url+"/certify", "application/json", strings.NewReader(`{"input": [1, 2]}`))
		<-started
		stop()
		assert.ErrorContains(t, waitResult(t, result), "shutdown: context deadline exceeded")
	})
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(flag.NewFlagSet("service", flag.ContinueOnError), nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", cfg.addr)
	assert.Equal(t, limits{maxBody: 1 << 20, maxInputs: 256, maxAbs: 1e6, timeout: 30 * time.Second}, cfg.limits)

	assert.False(t, cfg.quiet)

	cfg, err = parseFlags(flag.NewFlagSet("service", flag.ContinueOnError),
		[]string{"-model", "m.rab", "-train", "-addr", ":9000", "-max-body", "100", "-max-inputs", "3", "-max-abs", "0", "-timeout", "0", "-quiet"})
	require.NoError(t, err)
	assert.Equal(t, config{modelPath: "m.rab", train: true, addr: ":9000", limits: limits{maxBody: 100, maxInputs: 3},
		shutdownTimeout: 10 * time.Second, workers: cfg.workers, quiet: true}, cfg)

	for _, args := range [][]string{{"-max-inputs", "0"}, {"-max-body", "-1"}, {"-workers", "0"}, {"-timeout", "-1s"}, {"-max-abs", "-1"}} {
		fs := flag.NewFlagSet("service", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := parseFlags(fs, args)
		assert.Error(t, err, "%v", args)
	}
}

// TestQuietLogsOnlyWarnings: -quiet drops the log of every request, not the warnings.
func TestQuietLogsOnlyWarnings(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var out strings.Builder
		log := newLogger(&out, quiet)
		log.Info("request", "path", "/certify")
		log.Warn("slow")
		assert.Equal(t, !quiet, strings.Contains(out.String(), "msg=request"), "quiet %v", quiet)
		assert.Contains(t, out.String(), "msg=slow")
	}
}
