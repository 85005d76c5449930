package gorgonia

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graph is the Gorgonia training graph of a network for a fixed batch size.
type graph struct {
	g      *G.ExprGraph
	x      *G.Node // input batch: (batch, inputs), or (batch, c, h, w) for a CNN
	y      *G.Node // one-hot labels: (batch, classes)
	params G.Nodes // in paramShapes order
	logits *G.Node // (batch, classes)
	loss   *G.Node // mean cross-entropy of softmax(logits) against y
}

// newGraph builds the training graph of architecture a for the given batch size, its
// parameters initialised to copies of params. It mirrors network.logits: for a CNN,
// each block is Conv2d (3×3, padding 1, stride 1) + bias → Rectify → MaxPool2D (2×2,
// stride 2), then a Reshape to (batch, features); then each fully connected layer is
// x·W + b, through Rectify for hidden layers. The loss is
// −(1/batch) Σ_rows Σ_classes y ⊙ LogSoftMax(logits), the mean cross-entropy.
//
// Graphs are built one at a time (graphMu): Gorgonia v0.9.18's Rectify, Conv2d and
// MaxPool2D increment an unsynchronised package-level counter (encoding.NewGroup),
// a data race when several members are built in parallel.
func newGraph(a *arch, batch int, params [][]float64) (gr *graph, err error) {
	graphMu.Lock()
	defer graphMu.Unlock()
	defer recoverPanic(&err)
	g := G.NewGraph()
	gr = &graph{g: g}
	if a.cnn {
		gr.x = G.NewTensor(g, G.Float64, 4, G.WithShape(batch, a.c, a.h, a.w), G.WithName("x"))
	} else {
		gr.x = G.NewMatrix(g, G.Float64, G.WithShape(batch, a.inputs), G.WithName("x"))
	}
	for i, s := range a.paramShapes() {
		value := tensor.New(tensor.WithShape(s...), tensor.WithBacking(append([]float64(nil), params[i]...)))
		gr.params = append(gr.params, G.NewTensor(g, G.Float64, len(s), G.WithShape(s...), G.WithValue(value), G.WithName(fmt.Sprintf("p%d", i))))
	}
	h, p := gr.x, 0
	for range a.filters {
		h = must(G.Conv2d(h, gr.params[p], tensor.Shape{kernel, kernel}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
		h = must(G.BroadcastAdd(h, gr.params[p+1], nil, []byte{0, 2, 3}))
		h = must(G.Rectify(h))
		h = must(G.MaxPool2D(h, tensor.Shape{pool, pool}, []int{0, 0}, []int{pool, pool}))
		p += 2
	}
	if a.cnn {
		h = must(G.Reshape(h, tensor.Shape{batch, a.features()}))
	}
	for i := 0; i <= len(a.hidden); i++ {
		h = must(G.Mul(h, gr.params[p]))
		h = must(G.BroadcastAdd(h, gr.params[p+1], nil, []byte{0}))
		if i < len(a.hidden) {
			h = must(G.Rectify(h))
		}
		p += 2
	}
	gr.logits = h
	gr.y = G.NewMatrix(g, G.Float64, G.WithShape(batch, a.classes), G.WithName("y"))
	logp := must(G.LogSoftMax(h))
	sum := must(G.Sum(must(G.HadamardProd(gr.y, logp))))
	gr.loss = must(G.Mul(sum, G.NewConstant(-1/float64(batch))))
	return gr, nil
}

// graphMu serialises graph construction and differentiation; see newGraph and
// trainingMachine.
var graphMu sync.Mutex

// trainingMachine differentiates the loss with respect to the parameters and compiles
// the graph into a tape machine that keeps their gradients. Both run under graphMu:
// symbolic differentiation and compilation read and lazily cache the hash codes of
// Gorgonia's package-level constant nodes (Node.Hashcode), a data race when several
// members are trained in parallel.
func (gr *graph) trainingMachine() (vm G.VM, err error) {
	graphMu.Lock()
	defer graphMu.Unlock()
	defer recoverPanic(&err)
	if _, err := G.Grad(gr.loss, gr.params...); err != nil {
		return nil, fmt.Errorf("gorgonia: differentiating the loss: %w", err)
	}
	return G.NewTapeMachine(gr.g, G.BindDualValues(gr.params...)), nil
}

// graphError carries an error out of must to recoverPanic.
type graphError struct{ err error }

// must returns n, or panics with a graphError that recoverPanic turns back into err.
func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(graphError{err})
	}
	return n
}

// recoverPanic turns a panic inside Gorgonia, or a must failure, into an error in *err.
func recoverPanic(err *error) {
	switch r := recover().(type) {
	case nil:
	case graphError:
		*err = fmt.Errorf("gorgonia: building the training graph: %w", r.err)
	default:
		*err = fmt.Errorf("gorgonia: internal panic: %v", r)
	}
}

// rngDomain separates the learner's random streams from any other use of the seed.
const rngDomain = "rab/ensemble/gorgonia.Fit/v1"

// newRNG returns Fit's random generator: ChaCha8 (math/rand/v2, whose output is
// stable across Go releases) keyed by SHA-256("rab/ensemble/gorgonia.Fit/v1" ‖ seed),
// seed as 8 bytes little-endian.
func newRNG(seed uint64) *rand.Rand {
	msg := binary.LittleEndian.AppendUint64([]byte(rngDomain), seed)
	return rand.New(rand.NewChaCha8(sha256.Sum256(msg)))
}

// initParams draws the initial parameters from rng in paramShapes order: weights of
// layers followed by a ReLU from N(0, 2/fan_in) (He et al., 2015), the output layer's
// from N(0, 1/fan_in) (LeCun), biases zero.
func initParams(a *arch, rng *rand.Rand) [][]float64 {
	shapes := a.paramShapes()
	params := make([][]float64, len(shapes))
	for i, s := range shapes {
		params[i] = make([]float64, size(s))
		if len(s) == 1 { // bias
			continue
		}
		gain := 2.0
		if i == len(shapes)-2 {
			gain = 1
		}
		std := math.Sqrt(gain / float64(fanIn(s)))
		for j := range params[i] {
			params[i][j] = float64(rng.NormFloat64() * std)
		}
	}
	return params
}

// solver returns a fresh Gorgonia solver for the configured optimiser.
func (c *config) solver() G.Solver {
	rate := G.WithLearnRate(c.learningRate)
	switch c.optimizer {
	case SGD:
		return G.NewVanillaSolver(rate)
	case Momentum:
		return G.NewMomentum(rate)
	}
	return G.NewAdamSolver(rate)
}

// train runs minibatch gradient descent on net's parameters, in place: each epoch
// shuffles the rows with rng and steps once per full minibatch. It checks ctx before
// every step.
func (c *config) train(ctx context.Context, net *network, X [][]float64, y []int, rng *rand.Rand) (err error) {
	defer recoverPanic(&err)
	batch := min(c.batchSize, len(X))
	gr, err := newGraph(&net.arch, batch, net.params)
	if err != nil {
		return err
	}
	vm, err := gr.trainingMachine()
	if err != nil {
		return err
	}
	defer vm.Close()
	solver := c.solver()
	grads := G.NodesToValueGrads(gr.params)

	xs := make([]float64, batch*net.inputs)
	ys := make([]float64, batch*net.classes)
	xT := tensor.New(tensor.WithShape(gr.x.Shape()...), tensor.WithBacking(xs))
	yT := tensor.New(tensor.WithShape(gr.y.Shape()...), tensor.WithBacking(ys))
	perm := make([]int, len(X))
	for i := range perm {
		perm[i] = i
	}
	for range c.epochs {
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for start := 0; start+batch <= len(perm); start += batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			net.fillBatch(xs, ys, X, y, perm[start:start+batch])
			if err := errors.Join(G.Let(gr.x, xT), G.Let(gr.y, yT)); err != nil {
				return fmt.Errorf("gorgonia: binding a minibatch: %w", err)
			}
			if err := vm.RunAll(); err != nil {
				return fmt.Errorf("gorgonia: training step: %w", err)
			}
			if err := solver.Step(grads); err != nil {
				return fmt.Errorf("gorgonia: solver step: %w", err)
			}
			vm.Reset()
		}
	}
	for i, p := range gr.params {
		copy(net.params[i], p.Value().Data().([]float64))
	}
	return nil
}

// fillBatch writes the rows idx of X into the graph's input buffer xs (channel-planar
// for a CNN) and their one-hot labels into ys.
func (n *network) fillBatch(xs, ys []float64, X [][]float64, y []int, idx []int) {
	clear(ys)
	for r, i := range idx {
		dst := xs[r*n.inputs : (r+1)*n.inputs]
		if n.cnn {
			toPlanar(dst, X[i], n.h, n.w, n.c)
		} else {
			copy(dst, X[i])
		}
		ys[r*n.classes+y[i]] = 1
	}
}
