package knn

// rankedPoint is a training point's noncentrality λ and index; the pipeline sorts
// them by (λ, index).
type rankedPoint struct {
	lambda float64
	index  int32
}

// workspace holds the scratch memory of one evaluation; each goroutine has its own
// (Smoother.pool). Slices are sized once and reused, so an evaluation does not
// allocate. The comments give each field's shape and meaning; m is the number of
// relevant points, C the number of classes, K the number of neighbours.
type workspace struct {
	s *Smoother

	// Distances (pipeline.go: distances).
	lambda     []float64     // n: λ_j = ‖x_j − x‖²/σ² for every training point j
	byDistance []rankedPoint // n: the points, the probeSize+1 nearest first, in order

	// Count distributions of the window search (pipeline.go).
	countPMF []float64 // K: P(N = k), k < K, of a count N of Bernoulli points
	elemSym  []float64 // K+1: elementary symmetric polynomials e_0..e_K of CDF values

	// The relevant points R, in training-index order (pipeline.go: collect).
	inRelevant []bool    // n: whether training point j is relevant
	relIndex   []int32   // m: training index of relevant point r
	relClass   []int32   // m: label of relevant point r
	relLambda  []float64 // m: λ of relevant point r

	// CDF matrix over the block of buckets (pipeline.go: fillMatrix).
	cdf       []float64   // rows×m, row-major by edge: cdf[e*m + r] = F_r(la + e)
	cdfErr    []float64   // rows: Σ_r error bound of cdf[e*m + r]
	grid      []gridPoint // m: each relevant point's μ = λ/2 on the interpolation grid
	above     []float64   // m: F_r at the row above the current one, and its bound
	aboveErr  []float64   // m
	active    []int32     // relevant points still above the zero threshold, by cell
	cellCount []int32     // counting-sort slots of orderByCell

	// Dynamic programme over one bucket l (dp.go: bucket). A count distribution is a
	// truncated polynomial of K coefficients: coefficient g is P(count = g).
	classSuffix    []float64 // C×K: per class, points after the current one, at F(l−1)
	laterSameClass []float64 // m×K: for point r, its class's points after r, at F(l−1)
	classPrefix    []float64 // C×K: per class, points before the current one, at F(l)
	before         []float64 // C×K: per class, points preceding the current candidate
	ownBefore      []float64 // K: the candidate's own class, the candidate excluded

	// The vote (vote.go) over the count distributions voteDist[c] (aliases of rows of
	// before, or ownBefore for the candidate's class ownClass).
	voteDist         [][]float64 // C: per-class count distribution of the K−1 voters before
	ownClass         int         // label of the candidate K-th point
	lowerClasses     []float64   // (C+1)×K: row c = Π_{c'<c} voteDist[c'] (capped)
	upperClasses     []float64   // (C+1)×K: row c = Π_{c'≥c} voteDist[c'] (capped)
	winProb          []float64   // C: P(class w wins | candidate K-th), times its weight
	enumerateTallies bool        // vote by enumerating tallies (few) instead of by counts

	// Membership probabilities (dp.go), accumulated only when membership is set.
	membership bool
	member     []float64 // m: P(relevant point r votes, B_r ≤ lHi) in the modified model
	allSuffix  []float64 // K: count of all points after the current one, at F(l−1)
	allPrefix  []float64 // K: count of all points before the current one, at F(l)
	laterAll   []float64 // m×K: for point r, allSuffix after r (more than two classes)

	// Quantisation diagnostics (quantisation.go: tieMass).
	tieState []float64 // K×(K+2): distribution of (points below l, points in l)

	// Class probabilities: plain sums within a bucket, then Neumaier's compensated
	// summation across buckets (dp.go: addBucketSums).
	bucketSum []float64        // C
	total     []compensatedSum // C
}

func newWorkspace(s *Smoother) *workspace {
	C, K := s.classes, s.k
	tallies := 1.0 // C(K−1+C−1, C−1)
	for i := 1; i < C; i++ {
		tallies = tallies * float64(K-1+i) / float64(i)
	}
	return &workspace{
		enumerateTallies: tallies <= float64(C*K),
		s:                s,
		lambda:           make([]float64, s.n),
		byDistance:       make([]rankedPoint, s.n),
		countPMF:         make([]float64, K),
		elemSym:          make([]float64, K+1),
		inRelevant:       make([]bool, s.n),
		classSuffix:      make([]float64, C*K),
		classPrefix:      make([]float64, C*K),
		before:           make([]float64, C*K),
		ownBefore:        make([]float64, K),
		voteDist:         make([][]float64, C),
		lowerClasses:     make([]float64, (C+1)*K),
		upperClasses:     make([]float64, (C+1)*K),
		winProb:          make([]float64, C),
		allSuffix:        make([]float64, K),
		allPrefix:        make([]float64, K),
		tieState:         make([]float64, K*(K+2)),
		bucketSum:        make([]float64, C),
		total:            make([]compensatedSum, C),
	}
}

// fAt returns F(l; λ) (bucket index l ∈ [0, L]) and its error bound.
func (ws *workspace) fAt(lambda float64, l int) (float64, float64) {
	switch {
	case l <= 0:
		return 0, 0
	case l >= len(ws.s.edges)+1:
		return 1, 0
	}
	tb := ws.s.table
	return tb.at(l-1, tb.locate(lambda/2))
}
