package cnn

import "math"

// The layers' forward and backward passes on a slab of rows. Activations are
// row-major matrices of channel-last images: a slab of r images of h×w×c values is an
// (r·h·w)×c matrix, image after image, pixel after pixel. Every operation below is
// elementwise or sums in a fixed order, so its result does not depend on how the work
// is split; products of matrices go through internal/gemm.

// im2col writes the patches of the r images src (each g.h×g.w×g.c) into dst, an
// (r·g.ho·g.wo)×taps matrix: row (n·ho + i)·wo + j holds, for di, dj < k and ch < c, the
// input value at (i + di − pad, j + dj − pad, ch), zero outside the image, at column
// (di·k + dj)·c + ch. For a fixed di the k·c values are contiguous in the input.
func im2col(dst, src []float32, r int, g *conv) {
	k, c, pad := g.k, g.c, g.pad
	taps, run := g.taps(), g.k*g.c
	inImage := g.h * g.w * c
	for n := range r {
		img := src[n*inImage : (n+1)*inImage]
		for i := range g.ho {
			inside := i >= pad && i-pad+k <= g.h
			for j := range g.wo {
				row := dst[((n*g.ho+i)*g.wo+j)*taps:][:taps]
				if inside && j >= pad && j-pad+k <= g.w { // the whole patch is in the image
					src := img[((i-pad)*g.w+j-pad)*c:]
					for di := range k {
						copyShort(row[di*run:(di+1)*run], src[di*g.w*c:])
					}
					continue
				}
				// Columns j − pad … j − pad + k − 1 clipped to the image.
				j0, j1 := max(0, j-pad), min(g.w, j-pad+k)
				lead, width := (j0-(j-pad))*c, (j1-j0)*c
				for di := range k {
					out := row[di*run : (di+1)*run]
					ii := i + di - pad
					if ii < 0 || ii >= g.h || width <= 0 {
						clear(out)
						continue
					}
					clear(out[:lead])
					copyShort(out[lead:lead+width], img[(ii*g.w+j0)*c:])
					clear(out[lead+width:])
				}
			}
		}
	}
}

// col2im adds the patch gradients src (laid out as im2col's dst) into dst, the
// gradient of the r input images, which it first clears. The sums run over the rows of
// src in order.
func col2im(dst, src []float32, r int, g *conv) {
	k, c, pad := g.k, g.c, g.pad
	taps, run := g.taps(), g.k*g.c
	inImage := g.h * g.w * c
	clear(dst[:r*inImage])
	for n := range r {
		img := dst[n*inImage : (n+1)*inImage]
		for i := range g.ho {
			for j := range g.wo {
				row := src[((n*g.ho+i)*g.wo+j)*taps:][:taps]
				j0, j1 := max(0, j-pad), min(g.w, j-pad+k)
				lead, width := (j0-(j-pad))*c, (j1-j0)*c
				if width <= 0 {
					continue
				}
				for di := range k {
					ii := i + di - pad
					if ii < 0 || ii >= g.h {
						continue
					}
					add(img[(ii*g.w+j0)*c:][:width], row[di*run+lead:][:width])
				}
			}
		}
	}
}

// copyShort copies src into dst (len(src) ≥ len(dst)); a loop beats the copy builtin
// on the few values of a patch row.
func copyShort(dst, src []float32) {
	src = src[:len(dst)]
	for t, v := range src {
		dst[t] = v
	}
}

// add adds src to dst elementwise (len(src) ≥ len(dst)).
func add(dst, src []float32) {
	src = src[:len(dst)]
	for t, v := range src {
		dst[t] += v
	}
}

// fillBias sets each of the rows of the rows×len(bias) matrix dst to bias: the start of
// every output's fma chain.
func fillBias(dst, bias []float32, rows int) {
	n := len(bias)
	for i := range rows {
		copy(dst[i*n:(i+1)*n], bias)
	}
}

// relu sets the negative values of x to zero and reports whether a value overflowed to
// +Inf or is NaN. (From finite inputs and weights a layer's fma chains give finite
// values or ±Inf, never NaN, so checking every layer's output for +Inf after its ReLU
// keeps NaN out of the next layer; see network.forward.)
func relu(x []float32) (overflow bool) {
	for i, v := range x {
		switch {
		case v < 0:
			x[i] = 0
		case !(v <= math.MaxFloat32):
			overflow = true
		}
	}
	return overflow
}

// reluMask zeroes the gradients d where the layer's output y is not positive: the
// gradient of y = max(0, z) is 1 for z > 0, 0 otherwise (as PyTorch takes it at 0).
func reluMask(d, y []float32) {
	y = y[:len(d)]
	for i, v := range y {
		if !(v > 0) {
			d[i] = 0
		}
	}
}

// colSums adds up the rows of the rows×len(dst) matrix x into dst, row after row.
func colSums(dst, x []float32, rows int) {
	n := len(dst)
	clear(dst)
	for i := range rows {
		add(dst, x[i*n:(i+1)*n])
	}
}

// poolForward writes into dst the ReLU of the 2×2, stride-2 max-pool of the r
// convolution outputs src (each g.ho×g.wo×g.f), max(0, max of the window), a
// (r·g.hp·g.wp)×g.f matrix; a trailing odd row or column is dropped (PyTorch's floor
// mode). arg receives, for every pooled value, the index in src of the first maximum
// of its window in row-major order when that maximum is positive, and −1 when it is not
// (the ReLU then passes no gradient): relu(max) = max(relu), and the maximum's position
// is the one PyTorch's max_pool2d(relu(·)) routes the gradient to. It reports whether
// a pooled value overflowed to +Inf (see relu). The inputs contain no NaN: from
// finite inputs and weights, a convolution gives finite values or ±Inf.
func poolForward(dst []float32, arg []int32, src []float32, r int, g *conv) (overflow bool) {
	f, rowStep := g.f, g.wo*g.f
	for n := range r {
		for i := range g.hp {
			top := (n*g.ho + 2*i) * rowStep // the windows' top row
			o0 := (n*g.hp + i) * g.wp * f   // their outputs
			for j := range g.wp {
				tl, o := top+2*j*f, o0+j*f
				if poolWindow(dst[o:o+f:o+f], arg[o:o+f:o+f], src, tl, tl+f, tl+rowStep, tl+rowStep+f) {
					overflow = true
				}
			}
		}
	}
	return overflow
}

// poolWindowGo is poolWindow in Go: for each channel ch < len(out), the maximum m of
// src at a+ch, b+ch, c+ch, d+ch, the first in that order on a tie, gives
// out[ch] = max(m, 0) and idx[ch] its index, or −1 if m ≤ 0; it reports whether an m
// is +Inf. The comparisons compile to conditional moves: the maxima's positions are
// random, and branches on them would mostly be mispredicted.
func poolWindowGo(out []float32, idx []int32, src []float32, a, b, c, d int) (overflow bool) {
	n := len(out)
	idx = idx[:n]
	va, vb, vc, vd := src[a:a+n:a+n], src[b:b+n:b+n], src[c:c+n:c+n], src[d:d+n:d+n]
	for ch := range out {
		m, at := va[ch], int32(a+ch)
		if vb[ch] > m {
			at = int32(b + ch)
		}
		m = max(m, vb[ch])
		if vc[ch] > m {
			at = int32(c + ch)
		}
		m = max(m, vc[ch])
		if vd[ch] > m {
			at = int32(d + ch)
		}
		m = max(m, vd[ch])
		if !(m <= math.MaxFloat32) {
			overflow = true
		}
		if !(m > 0) {
			at = -1
		}
		out[ch], idx[ch] = max(m, 0), at
	}
	return overflow
}

// poolBackward writes into dst (the gradient of the convolution outputs, n values) the
// pooled gradients d routed to their windows' maxima arg; everything else is zero. The
// windows do not overlap, so each value of dst receives at most one gradient.
func poolBackward(dst []float32, n int, d []float32, arg []int32) {
	dst = dst[:n]
	clear(dst)
	arg = arg[:len(d)]
	for t, at := range arg {
		if at >= 0 {
			dst[at] = d[t]
		}
	}
}
