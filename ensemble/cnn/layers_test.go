package cnn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomNetwork returns a network of architecture a with weights drawn by initParams.
func randomNetwork(t testing.TB, a arch, seed uint64) *network {
	t.Helper()
	lay, err := a.layout()
	require.NoError(t, err)
	return &network{arch: a, lay: lay, params: initParams(&lay, newRNG(seed, "init"))}
}

func randomInputs(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	return x
}

// meanLoss returns the mean softmax cross-entropy of the logits z (rows × classes)
// against y, in float64.
func meanLoss(z []float32, y []int, classes int) float64 {
	total := 0.0
	for i, label := range y {
		zi := z[i*classes : (i+1)*classes]
		m := float64(slices.Max(zi))
		sum := 0.0
		for _, v := range zi {
			sum += math.Exp(float64(v) - m)
		}
		total += math.Log(sum) - (float64(zi[label]) - m)
	}
	return total / float64(len(y))
}

// pattern returns the piecewise-linear pieces the last forward pass of s went through:
// the pools' maxima and the hidden ReLUs' signs.
func pattern(n *network, s *slab, r int) []int32 {
	var p []int32
	for l, g := range n.lay.convs {
		p = append(p, s.arg[l][:r*g.hp*g.wp*g.f]...)
	}
	for l, d := range n.lay.denses {
		if d.relu {
			for _, v := range s.act[l][:r*d.out] {
				p = append(p, map[bool]int32{true: 1, false: 0}[v > 0])
			}
		}
	}
	return p
}

// TestGradientFiniteDifferences compares backward with central differences
// (L(θ + h) − L(θ − h)) / 2h of the mean loss, parameter by parameter, for two
// architectures. Where the step crosses a kink of a ReLU or changes a pool's maximum
// the difference quotient is not the derivative: those parameters are skipped (the
// pieces are compared exactly), and they must be few. The quotients come from float32
// forward passes with h = 1e-3; the differences measured are below 6e-6, the tolerance
// is 3e-5 + 1e-3·|quotient|.
func TestGradientFiniteDifferences(t *testing.T) {
	for _, a := range []arch{
		{h: 9, w: 7, c: 2, kernel: 3, padding: 1, filters: []int{3, 2}, hidden: []int{6}, classes: 3},
		{h: 12, w: 12, c: 1, kernel: 5, padding: 0, filters: []int{2}, hidden: []int{4, 3}, classes: 2},
	} {
		n := randomNetwork(t, a, 7)
		rng := rand.New(rand.NewPCG(1, 2))
		const batch = 5
		s := newSlab(&n.lay, n.inputs(), batch, true)
		copy(s.in, randomInputs(rng, batch*n.inputs()))
		y := []int{0, 1, 1, 0, 1}
		var tr transposed
		tr.pack(n, n.params)
		n.forward(s, batch)
		base := pattern(n, s, batch)
		grad := make([]float32, n.lay.params)
		n.backward(s, batch, y, batch, grad, &tr)

		const h = 1e-3
		skipped, worst := 0, 0.0
		for i := range n.params {
			orig := n.params[i]
			loss := func(delta float32) (float64, bool) {
				n.params[i] = orig + delta
				z, _ := n.forward(s, batch)
				return meanLoss(z, y, a.classes), slices.Equal(pattern(n, s, batch), base)
			}
			up, okUp := loss(h)
			down, okDown := loss(-h)
			n.params[i] = orig
			if !okUp || !okDown {
				skipped++
				continue
			}
			fd := (up - down) / (2 * h)
			worst = max(worst, math.Abs(fd-float64(grad[i])))
			require.InDelta(t, fd, float64(grad[i]), 3e-5+1e-3*math.Abs(fd), "parameter %d of %d", i, n.lay.params)
		}
		assert.Less(t, skipped, n.lay.params/10, "too many parameters skipped")
		t.Logf("%d parameters, %d skipped at kinks, largest difference %.3g", n.lay.params, skipped, worst)
	}
}

// TestIm2colAdjoint: col2im is the adjoint of im2col, ⟨im2col(x), Y⟩ = ⟨x, col2im(Y)⟩,
// for padded and unpadded geometry; and im2col puts input (i + di − p, j + dj − p, ch)
// at column (di·k + dj)·c + ch, zero outside the image.
func TestIm2colAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, a := range []arch{
		{h: 6, w: 5, c: 3, kernel: 3, padding: 2, filters: []int{1}},
		{h: 7, w: 8, c: 2, kernel: 5, padding: 0, filters: []int{1}},
		{h: 4, w: 4, c: 1, kernel: 4, padding: 3, filters: []int{1}},
	} {
		lay, err := a.layout()
		require.NoError(t, err)
		g := &lay.convs[0]
		const r = 2
		x := randomInputs(rng, r*a.inputs())
		cols := make([]float32, r*g.ho*g.wo*g.taps())
		im2col(cols, x, r, g)
		for n := range r {
			for i := range g.ho {
				for j := range g.wo {
					for di := range g.k {
						for dj := range g.k {
							for ch := range g.c {
								ii, jj := i+di-g.pad, j+dj-g.pad
								want := float32(0)
								if ii >= 0 && ii < g.h && jj >= 0 && jj < g.w {
									want = x[n*a.inputs()+(ii*g.w+jj)*g.c+ch]
								}
								require.Equal(t, want, cols[((n*g.ho+i)*g.wo+j)*g.taps()+(di*g.k+dj)*g.c+ch])
							}
						}
					}
				}
			}
		}
		Y := randomInputs(rng, len(cols))
		back := make([]float32, len(x))
		col2im(back, Y, r, g)
		lhs, rhs := 0.0, 0.0
		for i := range cols {
			lhs += float64(cols[i]) * float64(Y[i])
		}
		for i := range x {
			rhs += float64(x[i]) * float64(back[i])
		}
		assert.InDelta(t, lhs, rhs, 1e-5*math.Abs(lhs)+1e-9)
	}
}

// TestPool: the first maximum of each window in row-major order wins a tie, a window
// whose maximum is not positive passes no gradient, odd sides drop their last row or
// column, and overflow and NaN are reported.
func TestPool(t *testing.T) {
	g := &conv{ho: 3, wo: 5, f: 2, hp: 1, wp: 2}
	// 3×5×2 values, channel-last: channel 0 has a tie, channel 1 is negative.
	src := make([]float32, 30)
	set := func(i, j, ch int, v float32) { src[(i*5+j)*2+ch] = v }
	for i := range 3 {
		for j := range 5 {
			set(i, j, 1, -1)
		}
	}
	set(0, 1, 0, 4) // window (0, 0): tie between (0, 1) and (1, 0)
	set(1, 0, 0, 4)
	set(1, 3, 0, 2) // window (0, 1)
	set(2, 0, 0, 9) // dropped: row 2
	set(0, 4, 0, 9) // dropped: column 4
	dst, arg := make([]float32, 4), make([]int32, 4)
	assert.False(t, poolForward(dst, arg, src, 1, g))
	assert.Equal(t, []float32{4, 0, 2, 0}, dst)
	assert.Equal(t, []int32{(0*5 + 1) * 2, -1, (1*5 + 3) * 2, -1}, arg)

	d := make([]float32, 30)
	poolBackward(d, 30, []float32{5, 6, 7, 8}, arg)
	want := make([]float32, 30)
	want[2], want[16] = 5, 7
	assert.Equal(t, want, d)

	set(1, 2, 1, float32(math.Inf(1)))
	assert.True(t, poolForward(dst, arg, src, 1, g), "+Inf")
	set(1, 2, 1, float32(math.NaN()))
	assert.True(t, poolForward(dst, arg, src, 1, g), "NaN")
	x := []float32{-1, 2, float32(math.Inf(1))}
	assert.True(t, relu(x))
	assert.Equal(t, float32(0), x[0])
	assert.False(t, relu([]float32{-1, 3}))
}

// TestPoolWindowVersionsAgree: poolWindow (AVX2 on amd64) and poolWindowGo give the
// same values, indices and overflow report, with ties, non-positive windows, +Inf and
// channel counts that are and are not multiples of eight.
func TestPoolWindowVersionsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 5, 8, 13, 16, 32, 40} {
		for trial := range 200 {
			src := make([]float32, 4*n+3)
			for i := range src {
				src[i] = float32(rng.IntN(7) - 3) // small integers: many ties and non-positive maxima
			}
			if trial%50 == 0 {
				src[rng.IntN(len(src))] = float32(math.Inf(1))
			}
			a, b, c, d := 3, 3+n, 3+2*n, 3+3*n
			wantOut, wantIdx := make([]float32, n), make([]int32, n)
			gotOut, gotIdx := make([]float32, n), make([]int32, n)
			wantOver := poolWindowGo(wantOut, wantIdx, src, a, b, c, d)
			gotOver := poolWindow(gotOut, gotIdx, src, a, b, c, d)
			require.Equal(t, wantOut, gotOut, "n=%d", n)
			require.Equal(t, wantIdx, gotIdx, "n=%d", n)
			require.Equal(t, wantOver, gotOver, "n=%d", n)
		}
	}
}

// TestForwardPathsAgree: the prediction forward pass (patches read in place, padded
// copies) and the training one (im2col) give bit-identical logits.
func TestForwardPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, a := range []arch{
		{h: 9, w: 7, c: 2, kernel: 3, padding: 1, filters: []int{5, 17}, hidden: []int{6}, classes: 3},
		{h: 28, w: 28, c: 1, kernel: 5, filters: DefaultFilters(), hidden: DefaultHidden(), classes: 10},
		{h: 12, w: 11, c: 3, kernel: 4, padding: 3, filters: []int{40}, classes: 2},
	} {
		n := randomNetwork(t, a, 3)
		const r = 7
		train, predict := newSlab(&n.lay, n.inputs(), r, true), newSlab(&n.lay, n.inputs(), r, false)
		x := randomInputs(rng, r*n.inputs())
		copy(train.in, x)
		copy(predict.in, x)
		want, _ := n.forward(train, r)
		got, _ := n.forward(predict, r)
		require.Equal(t, want, got, "%+v", a)
	}
}
