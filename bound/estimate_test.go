package bound

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func estimate(t *testing.T, counts []int, alpha float64, opts ...Option) Estimation {
	t.Helper()
	est, err := Estimate(counts, alpha, opts...)
	require.NoError(t, err)
	return est
}

func TestEstimateTopClass(t *testing.T) {
	tests := []struct {
		counts []int
		want   int
	}{
		{[]int{3, 80, 17}, 1},
		{[]int{5, 7, 7, 1}, 1}, // tie: smallest label
		{[]int{50, 50}, 0},
		{[]int{0, 0, 9}, 2},
		{[]int{4, 0, 4, 4}, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, estimate(t, tt.counts, 0.05).Class, "counts %v", tt.counts)
	}
}

// TestEstimateBonferroni recomputes Algorithm 2's bounds by hand: both use
// level α/(2C), PB is the runner-up's upper bound unless 1 − PA is smaller.
func TestEstimateBonferroni(t *testing.T) {
	const alpha = 0.001
	counts := []int{3, 80, 17}
	est := estimate(t, counts, alpha)
	pa, err := ClopperPearsonLower(80, 100, alpha/6)
	require.NoError(t, err)
	upper, err := ClopperPearsonUpper(17, 100, alpha/6)
	require.NoError(t, err)
	assert.Equal(t, Estimation{Class: 1, PA: pa, PB: upper}, est)
	require.Less(t, upper, 1-pa, "this case must exercise the runner-up's upper bound")

	unadjusted, err := ClopperPearsonLower(80, 100, alpha)
	require.NoError(t, err)
	assert.Less(t, est.PA, unadjusted, "the Bonferroni level α/(2C) must widen the bound")

	// The runner-up, not the last or the first other class, sets PB.
	est = estimate(t, []int{0, 50, 10, 40}, alpha)
	upper40, err := ClopperPearsonUpper(40, 100, alpha/8)
	require.NoError(t, err)
	assert.Equal(t, upper40, est.PB)
}

// TestEstimateBinary: for two classes Estimate computes one lower bound, at level
// α/2, and PB = 1 − PA (rounded up): the runner-up's probability is exactly
// 1 − q(yA).
func TestEstimateBinary(t *testing.T) {
	for _, counts := range [][]int{{990, 10}, {5, 95}, {12, 0}, {50, 50}} {
		est := estimate(t, counts, 0.001)
		top := 0
		if counts[1] > counts[0] {
			top = 1
		}
		pa, err := ClopperPearsonLower(counts[top], counts[0]+counts[1], 0.001/2)
		require.NoError(t, err)
		assert.Equal(t, Estimation{Class: top, PA: pa, PB: oneMinusUp(pa), Abstain: pa <= oneMinusUp(pa)}, est, "counts %v", counts)
		assert.GreaterOrEqual(t, est.PB, 1-est.PA)
	}
	// The single bound at α/2 is tighter than the two at α/4 that 2C one-sided
	// bounds would need: +0.93% radius for 990 of 1,000 votes (see the reference
	// values for the exact PA).
	old, err := ClopperPearsonLower(990, 1000, 0.001/4)
	require.NoError(t, err)
	est := estimate(t, []int{990, 10}, 0.001)
	gain := binaryRadius(t, est.PA) / binaryRadius(t, old)
	assert.InDelta(t, 1.00927, gain, 1e-5)
}

// binaryRadius is GaussianRadius(1, pa, 1 − pa).
func binaryRadius(t *testing.T, pa float64) float64 {
	t.Helper()
	r, err := GaussianRadius(1, pa, oneMinusUp(pa))
	require.NoError(t, err)
	return r
}

// TestEstimateComplement checks PB = min(1 − PA, runner-up bound) for C ≥ 3 when
// the two are the same exact quantity, as for a unanimous vote: 1 − α'^(1/N).
func TestEstimateComplement(t *testing.T) {
	est := estimate(t, []int{0, 1000, 0}, 0.01)
	pa, upper := cpBounds(t, 1000, 1000, 0.01/6)
	_, upper0 := cpBounds(t, 0, 1000, 0.01/6)
	require.Equal(t, 1.0, upper)
	assert.Equal(t, pa, est.PA)
	assert.Equal(t, math.Min(oneMinusUp(pa), upper0), est.PB)
	assert.InEpsilon(t, 1-pa, est.PB, 1e-12)
	assert.False(t, est.Abstain)
}

func TestEstimateAbstain(t *testing.T) {
	tests := []struct {
		counts  []int
		abstain bool
	}{
		{[]int{50, 50}, true},
		{[]int{6, 4}, true},
		{[]int{5, 0}, true}, // too few votes: MinVotes(0.05, 2) = 6
		{[]int{6, 0}, false},
		{[]int{70, 30}, false},
		{[]int{40, 45, 15}, true},
		{[]int{1000, 0}, false},
	}
	for _, tt := range tests {
		est := estimate(t, tt.counts, 0.05)
		assert.Equal(t, tt.abstain, est.Abstain, "counts %v: %+v", tt.counts, est)
		assert.Equal(t, est.PA <= est.PB, est.Abstain)
		assert.LessOrEqual(t, est.PA+est.PB, 1.0)
	}
}

func TestEstimateHoeffding(t *testing.T) {
	const alpha = 0.01
	counts := []int{10, 600, 390}
	est := estimate(t, counts, alpha, WithHoeffding())
	w, err := HoeffdingWidth(1000, alpha/6)
	require.NoError(t, err)
	assert.Equal(t, 1, est.Class)
	assert.InDelta(t, 0.6-w, est.PA, 1e-14)
	assert.LessOrEqual(t, est.PA, 0.6-w)
	assert.InDelta(t, 0.39+w, est.PB, 1e-14)
	assert.GreaterOrEqual(t, est.PB, 0.39+w)
	assert.False(t, est.Abstain)

	cp := estimate(t, counts, alpha)
	assert.Less(t, est.PA, cp.PA, "Hoeffding is looser than Clopper–Pearson here")

	// clamped to [0, 1]: w = sqrt(ln(2/0.01)/4) ≈ 1.15 exceeds both shares 1/2
	est = estimate(t, []int{1, 1}, 0.01, WithHoeffding())
	assert.Equal(t, Estimation{Class: 0, PA: 0, PB: 1, Abstain: true}, est)
}

// TestMinVotes checks the closed forms ⌊log₂(2/α)⌋ + 1 (C = 2) and
// ⌊log₂(2C/α)⌋ + 1 (C ≥ 3), and that Estimate abstains on a unanimous vote of
// MinVotes − 1 and certifies one of MinVotes, including cases where the
// logarithm is an integer.
func TestMinVotes(t *testing.T) {
	for _, alpha := range []float64{0.5, 0.25, 0.125, 0.1, 0.05, 0.01, 1e-3, 1e-6, 1e-12} {
		for _, classes := range []int{2, 3, 4, 10, 100, 1000} {
			n := MinVotes(alpha, classes)
			bounds := 2 * classes
			if classes == 2 {
				bounds = 2
			}
			exact := math.Log2(float64(bounds) / alpha)
			if math.Abs(exact-math.Round(exact)) > 1e-9 {
				assert.Equal(t, int(exact)+1, n, "α=%v C=%d", alpha, classes)
			}
			counts := make([]int, classes)
			counts[classes-1] = n
			assert.False(t, estimate(t, counts, alpha).Abstain, "α=%v C=%d N=%d", alpha, classes, n)
			counts[classes-1] = n - 1
			assert.True(t, estimate(t, counts, alpha).Abstain, "α=%v C=%d N=%d", alpha, classes, n-1)
		}
	}
	// log₂(2/0.25) = 3 and log₂(6/0.375) = 4 exactly: PA = 1/2 = PB at N = 3 and 4.
	assert.Equal(t, 4, MinVotes(0.25, 2))
	assert.Equal(t, 5, MinVotes(0.375, 3))
	assert.Equal(t, 11, MinVotes(0.001, 2)) // log₂ 2000 ≈ 10.97; 12 with 2C bounds
	assert.Equal(t, 9, MinVotes(0.05, 10))
}

// TestMinVotesHoeffding checks the documented Hoeffding requirement
// N > 2·ln(2C/α): 2·ln(400) ≈ 11.98 for α = 0.05 and C = 10.
func TestMinVotesHoeffding(t *testing.T) {
	counts := make([]int, 10)
	for n, abstain := range map[int]bool{MinVotes(0.05, 10): true, 11: true, 12: false} {
		counts[0] = n
		assert.Equal(t, abstain, estimate(t, counts, 0.05, WithHoeffding()).Abstain, "N = %d", n)
	}
}

func TestMinVotesInvalid(t *testing.T) {
	for _, tt := range []struct {
		alpha   float64
		classes int
	}{{0, 2}, {1, 2}, {math.NaN(), 2}, {-0.5, 3}, {0.05, 1}, {0.05, 0}, {1e-310, 2}} {
		assert.Zero(t, MinVotes(tt.alpha, tt.classes), "α=%v C=%d", tt.alpha, tt.classes)
	}
}

func TestEstimateErrors(t *testing.T) {
	tests := []struct {
		name    string
		counts  []int
		alpha   float64
		opts    []Option
		mention string
	}{
		{"nil counts", nil, 0.05, nil, "empty"},
		{"empty counts", []int{}, 0.05, nil, "empty"},
		{"single class", []int{10}, 0.05, nil, "at least 2 classes"},
		{"negative count", []int{10, -1, 3}, 0.05, nil, "counts[1] = -1"},
		{"no votes", []int{0, 0, 0}, 0.05, nil, "no votes"},
		{"overflowing total", []int{math.MaxInt, 1}, 0.05, nil, "overflows"},
		{"zero alpha", []int{9, 1}, 0, nil, "alpha"},
		{"alpha one", []int{9, 1}, 1, nil, "alpha"},
		{"NaN alpha", []int{9, 1}, math.NaN(), nil, "alpha"},
		{"per-bound level underflows", []int{9, 1}, 1e-310, nil, "per-bound level 5e-311"},
		{"per-bound level underflows, C = 3", []int{9, 1, 0}, 1e-307, nil, "is below 2⁻¹⁰²²"},
		{"nil option", []int{9, 1}, 0.05, []Option{nil}, "option 0 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			est, err := Estimate(tt.counts, tt.alpha, tt.opts...)
			assertInvalid(t, est, err, tt.mention)
		})
	}
}

func TestEstimateDoesNotModifyCounts(t *testing.T) {
	counts := []int{4, 90, 6}
	_ = estimate(t, counts, 0.01)
	_ = estimate(t, counts, 0.01, WithHoeffding())
	assert.Equal(t, []int{4, 90, 6}, counts)
}

// TestEstimateCoverage computes exactly, by enumerating every vote histogram of
// N = 300 votes over 3 classes with probabilities (0.4, 0.4, 0.2), the
// probability that Estimate's bounds fail: q(yA) < PA, or q(y) > PB for some
// other class y. It must not exceed α. The same enumeration with level α/C
// for both bounds (a per-class Bonferroni correction that forgets that each
// class carries two one-sided bounds) exceeds α, which shows that the test can
// fail and why Estimate uses α/(2C).
func TestEstimateCoverage(t *testing.T) {
	const alpha, n = 0.01, 300
	q := []float64{0.4, 0.4, 0.2}
	failure := func(level float64) float64 {
		var total float64
		counts := make([]int, 3)
		lgN, _ := math.Lgamma(n + 1)
		for a := 0; a <= n; a++ {
			for b := 0; a+b <= n; b++ {
				counts[0], counts[1], counts[2] = a, b, n-a-b
				logP := lgN
				for c, k := range counts {
					lg, _ := math.Lgamma(float64(k) + 1)
					logP += float64(k)*math.Log(q[c]) - lg
				}
				top, runnerUp, _, err := tally(counts)
				require.NoError(t, err)
				pa, pb := estimateBounds(counts[top], counts[runnerUp], n, 3, level, estimateConfig{})
				fails := q[top] < pa
				for c := range counts {
					fails = fails || (c != top && q[c] > pb)
				}
				if fails {
					total += math.Exp(logP)
				}
			}
		}
		return total
	}
	sound, weak := failure(perBoundLevel(alpha, 3)), failure(alpha/3)
	t.Logf("failure probability: %.6f at level α/(2C), %.6f at level α/C (α = %v)", sound, weak, alpha)
	assert.LessOrEqual(t, sound, alpha, "Estimate's level α/(2C)")
	assert.Greater(t, weak, alpha, "level α/C for both bounds is too weak")
}

// TestEstimateCoverageBinary computes exactly the probability that Estimate's
// bound fails for two classes, q(yA) < PA, when the N votes are Bin(N, q) for
// class 0: the sum of P(k) over the vote counts k whose certificate is wrong. The
// failure probability jumps where q crosses a bound, so its supremum over q is
// approached just below a bound PA(k) (or just above 1 − PA(k)); it is evaluated
// there for every k, and on a grid. It must not exceed α for Estimate's level α/2.
// The same enumeration with level α for the one bound exceeds α, which shows that
// the test can fail and why α/2 is needed: yA is chosen from the votes, so either
// class's bound may be the one that is used.
func TestEstimateCoverageBinary(t *testing.T) {
	for _, tc := range []struct {
		n     int
		alpha float64
	}{{11, 0.001}, {30, 0.1}, {100, 0.01}, {1000, 0.001}} {
		sound := binaryWorstFailure(t, tc.n, tc.alpha, perBoundLevel(tc.alpha, 2))
		weak := binaryWorstFailure(t, tc.n, tc.alpha, tc.alpha)
		t.Logf("N = %d, α = %v: worst failure probability %.6g at level α/2, %.6g at level α", tc.n, tc.alpha, sound, weak)
		assert.LessOrEqual(t, sound, tc.alpha, "N = %d, level α/2", tc.n)
		assert.Greater(t, weak, tc.alpha, "N = %d: level α is too weak", tc.n)
	}
}

// binaryWorstFailure returns the largest failure probability of Estimate's
// two-class bounds at the given per-bound level over the candidate class-0
// probabilities q described in TestEstimateCoverageBinary.
func binaryWorstFailure(t *testing.T, n int, alpha, level float64) float64 {
	t.Helper()
	pa := make([]float64, n+1) // pa[k]: PA when the top class has k of the n votes
	top := make([]int, n+1)    // top[k]: the top class when class 0 has k votes
	for k := 0; k <= n; k++ {
		counts := []int{k, n - k}
		y, runnerUp, _, err := tally(counts)
		require.NoError(t, err)
		top[k] = y
		pa[k], _ = estimateBounds(counts[y], counts[runnerUp], n, 2, level, estimateConfig{})
	}
	var candidates []float64
	for k := 0; k <= n; k++ {
		candidates = append(candidates, math.Nextafter(pa[k], 0), math.Nextafter(1-pa[k], 1))
	}
	for i := 1; i < 1000; i++ {
		candidates = append(candidates, float64(i)/1000)
	}
	worst := 0.0
	for _, q := range candidates {
		if q <= 0 || q >= 1 {
			continue
		}
		failure := 0.0
		for k := 0; k <= n; k++ {
			qTop, share := q, k
			if top[k] == 1 {
				qTop, share = 1-q, n-k
			}
			if qTop < pa[share] {
				failure += binomialPMF(k, n, q)
			}
		}
		worst = math.Max(worst, failure)
	}
	return worst
}

// Estimate allocates nothing, with or without options.
func TestEstimateAllocations(t *testing.T) {
	counts := []int{3, 871, 40, 12, 0, 9, 31, 20, 6, 8}
	hoeffding := WithHoeffding()
	for name, opts := range map[string][]Option{"default": nil, "WithHoeffding": {hoeffding}} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Estimate(counts, 0.001, opts...); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, name)
	}
}
