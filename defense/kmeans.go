package defense

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// maxLloydIterations bounds Lloyd's iterations per initialisation (scikit-learn's
// max_iter).
const maxLloydIterations = 300

// streamKMeans separates the k-means++ streams from any other use of a seed.
const streamKMeans = 0x7261622d6b6d6e73 // "rab-kmns"

// clustering is a partition of n points into k clusters.
type clustering struct {
	labels  []int     // cluster of each point
	centres []float64 // k×dim, row-major: the mean of each cluster
	sizes   []int
	inertia float64 // Σ‖z_i − centre(labels_i)‖²
}

// points is n points of dimension dim, row-major.
type points struct {
	z      []float64
	n, dim int
}

func (p points) row(i int) []float64 { return p.z[i*p.dim : (i+1)*p.dim] }

func sqDist(a, b []float64) float64 {
	s := 0.0
	for j, v := range a {
		diff := v - b[j]
		s += diff * diff
	}
	return s
}

// kmeans returns the best of restarts k-means clusterings of p (lowest inertia, the
// first on ties). Restart t starts from k-means++ seeding (Arthur and Vassilvitskii,
// SODA 2007) drawn from the PCG stream (seed, streamKMeans ⊕ mix(label, t)), and runs
// Lloyd's iterations until no point changes cluster, at most maxLloydIterations times.
func kmeans(p points, k, restarts int, seed uint64, label int) clustering {
	var best clustering
	for t := range restarts {
		src := rand.NewPCG(seed, streamKMeans^mix(uint64(label)<<32|uint64(t)))
		c := lloyd(p, seedCentres(p, k, src))
		if t == 0 || c.inertia < best.inertia {
			best = c
		}
	}
	return best
}

// mix is the SplitMix64 finaliser: distinct inputs give well-separated streams.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// uniform returns a float64 in [0, 1) from the source's next output alone.
func uniform(src *rand.PCG) float64 { return float64(src.Uint64()>>11) * 0x1p-53 }

// seedCentres draws k initial centres by greedy k-means++, as scikit-learn does: the
// first uniformly; for each next one, 2 + ⌊ln k⌋ candidates drawn with probability
// proportional to their squared distance D² to the nearest centre so far, keeping the
// candidate that leaves the smallest potential Σ D². If every point lies on a centre
// (D² all 0), the remaining centres repeat the last one.
func seedCentres(p points, k int, src *rand.PCG) []float64 {
	trials := 2 + int(math.Log(float64(k)))
	centres := make([]float64, 0, k*p.dim)
	centres = append(centres, p.row(min(int(uniform(src)*float64(p.n)), p.n-1))...)
	d2 := make([]float64, p.n)
	for i := range p.n {
		d2[i] = sqDist(p.row(i), centres)
	}
	next, bestNext := make([]float64, p.n), make([]float64, p.n)
	for len(centres) < k*p.dim {
		total := floats.Sum(d2)
		if total == 0 {
			centres = append(centres, centres[len(centres)-p.dim:]...)
			continue
		}
		best, bestPotential := 0, math.Inf(1)
		for range trials {
			cand := drawProportional(d2, uniform(src)*total)
			potential := 0.0
			for i := range p.n {
				next[i] = min(d2[i], sqDist(p.row(i), p.row(cand)))
				potential += next[i]
			}
			if potential < bestPotential {
				best, bestPotential = cand, potential
				next, bestNext = bestNext, next
			}
		}
		centres = append(centres, p.row(best)...)
		d2, bestNext = bestNext, d2
	}
	return centres
}

// drawProportional returns the first index i with w_0 + … + w_i > u, or the last index
// of positive weight if rounding leaves u beyond the sum.
func drawProportional(w []float64, u float64) int {
	acc, last := 0.0, 0
	for i, v := range w {
		if v > 0 {
			last = i
		}
		if acc += v; acc > u {
			return i
		}
	}
	return last
}

// lloyd runs Lloyd's algorithm from the given centres: assign every point to its
// nearest centre (the lower index on ties), move every centre to the mean of its
// points, until no assignment changes. A cluster left empty keeps its centre.
func lloyd(p points, centres []float64) clustering {
	k := len(centres) / p.dim
	c := clustering{labels: make([]int, p.n), centres: centres, sizes: make([]int, k)}
	for i := range c.labels {
		c.labels[i] = -1
	}
	for range maxLloydIterations {
		if !c.assign(p) {
			break
		}
		c.update(p)
	}
	c.inertia = 0
	for i := range p.n {
		c.inertia += sqDist(p.row(i), c.centre(c.labels[i]))
	}
	return c
}

func (c *clustering) centre(j int) []float64 {
	dim := len(c.centres) / len(c.sizes)
	return c.centres[j*dim : (j+1)*dim]
}

// assign moves every point to its nearest centre and reports whether any moved.
func (c *clustering) assign(p points) bool {
	changed := false
	for i := range p.n {
		best, bestD := 0, math.Inf(1)
		for j := range c.sizes {
			if d := sqDist(p.row(i), c.centre(j)); d < bestD {
				best, bestD = j, d
			}
		}
		if c.labels[i] != best {
			c.labels[i], changed = best, true
		}
	}
	return changed
}

// update moves every non-empty cluster's centre to the mean of its points.
func (c *clustering) update(p points) {
	sums := make([]float64, len(c.centres))
	clear(c.sizes)
	for i := range p.n {
		j := c.labels[i]
		c.sizes[j]++
		row, s := p.row(i), sums[j*p.dim:(j+1)*p.dim]
		for t, v := range row {
			s[t] += v
		}
	}
	for j, size := range c.sizes {
		if size == 0 {
			continue
		}
		for t, s := range sums[j*p.dim : (j+1)*p.dim] {
			c.centres[j*p.dim+t] = s / float64(size)
		}
	}
}
