package cnn

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/rabcert/rab/internal/errs"
)

// rngDomain separates the learner's random streams from any other use of the seed.
const rngDomain = "rab/ensemble/cnn.Fit/v1/"

// newRNG returns one of Fit's random generators: ChaCha8 (math/rand/v2, whose output is
// stable across Go releases) keyed by SHA-256(rngDomain ‖ purpose ‖ seed), seed as 8
// bytes little-endian. The initial weights and the minibatch order have separate
// streams, so a fine-tuned member visits its rows in the same order as one trained
// from scratch with the same seed.
func newRNG(seed uint64, purpose string) *rand.Rand {
	msg := binary.LittleEndian.AppendUint64([]byte(rngDomain+purpose), seed)
	return rand.New(rand.NewChaCha8(sha256.Sum256(msg)))
}

// initParams draws the initial parameters in layout order as PyTorch 1.13 initialises
// nn.Conv2d and nn.Linear by default: every weight and bias uniform on
// [−1/√fan_in, 1/√fan_in), fan_in = k·k·c for a convolution and in for a fully
// connected layer (kaiming_uniform_ with a = √5).
func initParams(l *layout, rng *rand.Rand) []float32 {
	params := make([]float32, l.params)
	fill := func(lo, hi, fanIn int) {
		bound := 1 / math.Sqrt(float64(fanIn))
		for i := lo; i < hi; i++ {
			params[i] = float32(float64(2*rng.Float64()-1) * bound)
		}
	}
	for _, g := range l.convs {
		fill(g.wOff, g.bOff+g.f, g.taps())
	}
	for _, d := range l.denses {
		fill(d.wOff, d.bOff+d.out, d.in)
	}
	return params
}

// trainer is the state of one Fit.
type trainer struct {
	cfg   *config
	net   *network
	X     []float32 // the training rows, n × inputs
	y     []int
	rows  int         // slab size
	slabs []*slab     // one per thread
	grads [][]float32 // one per slab of a minibatch
	m, v  []float32   // Adam's moments, or (m) the momentum buffer
	t     transposed
	steps int // steps taken
	// β₁ᵗ and β₂ᵗ for Adam's bias corrections, by repeated multiplication (math.Pow
	// may round differently on other machines).
	pow1, pow2 float64
}

// chunk is the number of parameters one worker updates at a time.
const chunk = 1 << 14

// train runs cfg.epochs epochs of minibatch gradient descent on net's parameters, in
// place. It checks ctx before every step.
func (t *trainer) train(ctx context.Context, order *rand.Rand) error {
	n := len(t.y)
	batch := min(t.cfg.batchSize, n)
	perBatch := (batch + t.rows - 1) / t.rows
	threads := min(t.cfg.threads, perBatch)
	for range threads {
		t.slabs = append(t.slabs, newSlab(&t.net.lay, t.net.inputs(), t.rows, true))
	}
	for range perBatch {
		t.grads = append(t.grads, make([]float32, t.net.lay.params))
	}
	t.m = make([]float32, t.net.lay.params)
	t.pow1, t.pow2 = 1, 1
	if t.cfg.optimizer == Adam {
		t.v = make([]float32, t.net.lay.params)
	}
	t.t.pack(t.net, t.net.params)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	total := t.cfg.epochs * ((n + batch - 1) / batch)
	for range t.cfg.epochs {
		order.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for start := 0; start < n; start += batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := t.step(perm[start:min(start+batch, n)], threads); err != nil {
				return err
			}
			if t.cfg.progress != nil {
				t.cfg.progress(t.steps, total)
			}
		}
	}
	return nil
}

// step takes one optimiser step on the minibatch idx: its slabs of t.rows rows run
// forward and backward in parallel, each into its own gradient; the gradients are
// summed in slab order and the parameters updated, in parallel over fixed chunks.
func (t *trainer) step(idx []int, threads int) error {
	batch := len(idx)
	slabs := (batch + t.rows - 1) / t.rows
	var overflow atomic.Bool
	parallel(threads, slabs, func(w, s int) {
		rows := idx[s*t.rows : min((s+1)*t.rows, batch)]
		sl := t.slabs[w]
		d := t.net.inputs()
		for i, row := range rows {
			copy(sl.in[i*d:(i+1)*d], t.X[row*d:(row+1)*d])
			sl.labels[i] = t.y[row]
		}
		if _, of := t.net.forward(sl, len(rows)); of {
			overflow.Store(true)
		}
		t.net.backward(sl, len(rows), sl.labels[:len(rows)], batch, t.grads[s], &t.t)
	})
	if overflow.Load() {
		return errs.Invalid("training diverged at step %d (an activation overflowed float32); lower the learning rate", t.steps+1)
	}
	t.steps++
	t.pow1, t.pow2 = t.pow1*beta1, t.pow2*beta2
	p := t.net.lay.params
	parallel(threads, (p+chunk-1)/chunk, func(_, c int) {
		lo, hi := c*chunk, min((c+1)*chunk, p)
		g := t.grads[0][lo:hi]
		for _, other := range t.grads[1:slabs] {
			add(g, other[lo:hi])
		}
		t.update(lo, hi, g)
	})
	t.t.pack(t.net, t.net.params)
	return nil
}

// Adam's and momentum's constants (see Optimizer).
const (
	beta1    = 0.9
	beta2    = 0.999
	epsilon  = 1e-8
	momentum = 0.9
)

// update applies the optimiser to parameters lo…hi−1 with their gradient g, in float32
// with every product rounded explicitly (no fused multiply-add), so that the result is
// the same on every machine.
func (t *trainer) update(lo, hi int, g []float32) {
	w := t.net.params[lo:hi]
	rate := t.cfg.rate
	switch t.cfg.optimizer {
	case SGD:
		eta := float32(rate)
		for i, gi := range g {
			w[i] -= float32(eta * gi)
		}
	case Momentum:
		eta, mu := float32(rate), float32(momentum)
		b := t.m[lo:hi]
		for i, gi := range g {
			if t.steps == 1 {
				b[i] = gi
			} else {
				b[i] = float32(mu*b[i]) + gi
			}
			w[i] -= float32(eta * b[i])
		}
	default:
		step := float32(rate / (1 - t.pow1))
		bc2 := float32(math.Sqrt(1 - t.pow2))
		b1, c1, b2, c2, eps := float32(beta1), float32(1-beta1), float32(beta2), float32(1-beta2), float32(epsilon)
		m, v := t.m[lo:hi], t.v[lo:hi]
		for i, gi := range g {
			m[i] = float32(b1*m[i]) + float32(c1*gi)
			v[i] = float32(b2*v[i]) + float32(float32(c2*gi)*gi)
			denom := float32(float32(math.Sqrt(float64(v[i])))/bc2) + eps
			w[i] -= float32(step * float32(m[i]/denom))
		}
	}
}

// parallel runs fn(w, i) for every i < n, on up to threads goroutines (the caller's
// among them); w < threads identifies the goroutine, which runs one i at a time. Which
// goroutine runs which i varies; callers make the result independent of it.
func parallel(threads, n int, fn func(w, i int)) {
	workers := min(threads, n)
	if workers <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	run := func(w int) {
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			fn(w, i)
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { run(w) })
	}
	run(0)
	wg.Wait()
}
