package experiment

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
)

// TestWriteTable formats hand-made results: the header names the attack and each
// pattern, the clean row has dashes, an attack that fooled no row has n/a.
func TestWriteTable(t *testing.T) {
	one, err := attack.OnePixelFeatures(4, 1, 0.1)
	require.NoError(t, err)
	blend, err := attack.Blend(attack.Tabular(4), 0.1, 1)
	require.NoError(t, err)
	h := Harness{
		Attack:      Attack{Patterns: []attack.Pattern{one, blend}, Norm: 0.1, Rate: 0.1, Target: 0, Clip: &Range{Lo: 0, Hi: 1}},
		VanillaName: "K-NN",
	}
	results := []Result{
		{Name: "clean", VanillaAcc: 0.945, RABAcc: 0.89, CleanCertAtNorm: 0.86},
		{Name: "one-pixel", VanillaAcc: 0.905, RABAcc: 0.815, CleanCertAtNorm: 0.805, Triggered: 85, Fooled: 21, FooledUntriggered: 5,
			RABRobust: 9.0 / 21, CertEq19: 8.0 / 21, CertAttack: 1.0 / 21, Rows: 368, SingleNorm: 0.1, TotalNorm: 1.91833},
		{Name: "blending", VanillaAcc: 0.915, RABAcc: 0.82, CleanCertAtNorm: 0.8, Triggered: 85, Rows: 368, SingleNorm: 0.1, TotalNorm: 1.9},
	}
	var out bytes.Buffer
	require.NoError(t, h.WriteTable(&out, results))
	want := `
Backdoor: ‖δ‖₂ = 0.1 on 10% of the training rows, target class 0, clipped to [0, 1]:
  one-pixel  ‖δ‖₂ = 0.1 on feature 1
  blending   ‖δ‖₂ = 0.1 on all 4 features
Benign accuracy on the clean test rows; robust accuracy on the triggered test rows that fooled the vanilla K-NN
(fooled rows: triggered test rows, i.e. those not of the target class, that the vanilla K-NN assigns to the target; vanilla robust is 0% on them by construction).
cert (19): certified accuracy as the paper's eq. (19), R > ‖δ‖ (as if one training row were poisoned);
cert (r rows): for the attack actually run, R > √(Σ‖δ_i‖²) over its r poisoned rows (eq. (12); ≈ ‖δ‖·√r, eq. (13)).

    pattern  vanilla acc  RAB acc  cert acc (clean, R>‖δ‖)  fooled rows  vanilla robust  RAB robust  cert (19)    r  √Σ‖δ_i‖²  cert (r rows)
      clean        94.5%    89.0%                    86.0%            -               -           -          -    -         -              -
  one-pixel        90.5%    81.5%                    80.5%        21/85            0.0%       42.9%      38.1%  368    1.9183           4.8%
   blending        91.5%    82.0%                    80.0%         0/85             n/a         n/a        n/a  368    1.9000            n/a
Fooled rows that the vanilla K-NN assigns to the target without the trigger as well (its own errors, not the backdoor's doing):
  one-pixel  5 of 21
`
	assert.Equal(t, want, out.String())

	h.LabelFlips = true
	results[1].CertFlips = 0
	out.Reset()
	require.NoError(t, h.WriteTable(&out, results[:2]))
	assert.Contains(t, out.String(), "cert (r rows + labels): the attack run, its r rows relabelled too: R_r > √(Σ‖δ_i‖²), R_r the radius left when r labels may differ (rab.Certificate.FlipRadius(r)).\n")
	assert.Contains(t, out.String(), `
    pattern  vanilla acc  RAB acc  cert acc (clean, R>‖δ‖)  fooled rows  vanilla robust  RAB robust  cert (19)    r  √Σ‖δ_i‖²  cert (r rows)  cert (r rows + labels)
      clean        94.5%    89.0%                    86.0%            -               -           -          -    -         -              -                       -
  one-pixel        90.5%    81.5%                    80.5%        21/85            0.0%       42.9%      38.1%  368    1.9183           4.8%                    0.0%
`)
	h.LabelFlips = false

	h.Attack.Names = []string{"", "my blend"}
	out.Reset()
	require.NoError(t, h.WriteTable(&out, nil))
	assert.Contains(t, out.String(), "  one-pixel  ‖δ‖₂ = 0.1 on feature 1\n  my blend   ‖δ‖₂ = 0.1 on all 4 features\n")

	h.Attack.Clip = nil
	out.Reset()
	require.NoError(t, h.WriteTable(&out, nil))
	assert.Contains(t, out.String(), "target class 0:\n", "no clipping, no clipping range")
}

// TestWriteVariantsAndAbstain formats the variants' table (Table C.7) and the abstain
// rates (Table C.8) of hand-made results.
func TestWriteVariantsAndAbstain(t *testing.T) {
	h := Harness{Variants: []Variant{{Name: "no noise"}}}
	abstain := rab.Certificate{Abstained: true}
	results := []Result{
		{Name: "clean", RABAcc: 0.9, CleanCertAtNorm: 0.8, CleanCerts: []rab.Certificate{abstain, {}, {}, {}},
			Variants: []Certified{{RABAcc: 0.85, CleanCertAtNorm: 0.5, CleanCerts: []rab.Certificate{abstain, abstain, {}, {}}}}},
		{Name: "one-pixel", RABAcc: 0.9, CleanCertAtNorm: 0.8, CleanCerts: []rab.Certificate{{}, {}},
			Fooled: 4, Rows: 6, RABRobust: 0.5, CertEq19: 0.25, CertAttack: 0, FooledCerts: []rab.Certificate{{}, {}, {}, abstain},
			Variants: []Certified{{RABAcc: 0.8, CleanCertAtNorm: 0.4, CleanCerts: []rab.Certificate{{}, {}},
				RABRobust: 0.25, CertEq19: 0, CertAttack: 0, FooledCerts: []rab.Certificate{abstain, abstain, {}, {}}}}},
		{Name: "blending", RABAcc: 0.9, CleanCertAtNorm: 0.8, CleanCerts: []rab.Certificate{{}}, Rows: 6,
			Variants: []Certified{{RABAcc: 0.8, CleanCertAtNorm: 0.4, CleanCerts: []rab.Certificate{{}}}}},
	}
	var out bytes.Buffer
	require.NoError(t, h.writeVariants(&out, results))
	require.NoError(t, h.WriteAbstain(&out, results))
	want := `
The RAB model and its variants (as the paper's Table C.7): robust and certified accuracy on the fooled rows, then on the clean test rows
    pattern    RAB  RAB-cert (19)  cert (r rows)  no noise: RAB  RAB-cert (19)  cert (r rows)    clean: RAB acc  cert acc  no noise: RAB acc  cert acc
      clean      -              -              -              -              -              -             90.0%     80.0%              85.0%     50.0%
  one-pixel  50.0%          25.0%           0.0%          25.0%           0.0%           0.0%             90.0%     80.0%              80.0%     40.0%
   blending    n/a            n/a            n/a            n/a            n/a            n/a             90.0%     80.0%              80.0%     40.0%

Abstain rate (as the paper's Table C.8): certificates with PA ≤ PB, which certify nothing
    pattern  clean rows  fooled rows  no noise: clean  fooled
      clean       25.0%            -            50.0%       -
  one-pixel        0.0%        25.0%             0.0%   50.0%
   blending        0.0%          n/a             0.0%     n/a
`
	assert.Equal(t, want, out.String())
}

// TestWhere describes the entries patterns set, by the shape of their rows.
func TestWhere(t *testing.T) {
	digit := attack.Shape{H: 8, W: 8, C: 1}
	rgb := attack.Shape{H: 4, W: 4, C: 3}
	pattern := func(p attack.Pattern, err error) attack.Pattern {
		require.NoError(t, err)
		return p
	}
	for _, tc := range []struct {
		p    attack.Pattern
		want string
	}{
		{pattern(attack.OnePixelFeatures(56, 25, 0.1)), "feature 25"},
		{pattern(attack.FourPixelFeatures(56, [4]int{25, 26, 27, 50}, 0.1)), "features 25, 26, 27, 50"},
		{pattern(attack.Blend(attack.Tabular(56), 0.1, 1)), "all 56 features"},
		{pattern(attack.OnePixel(digit, 0.1, attack.AtPixel(7, 7))), "pixel (7, 7)"},
		{pattern(attack.FourPixel(digit, 0.1, attack.AtPixel(6, 6))), "pixels (5, 7), (6, 6), (7, 5), (7, 7)"},
		{pattern(attack.Blend(digit, 0.1, 1)), "all 64 pixels"},
		{pattern(attack.OnePixel(rgb, 0.1, attack.AtPixel(1, 2))), "entries (1, 2, 0), (1, 2, 1), (1, 2, 2)"},
		{pattern(attack.OnePixel(rgb, 0.1, attack.AtPixel(1, 2), attack.InChannel(1))), "entry (1, 2, 1)"},
		{pattern(attack.Blend(rgb, 0.1, 1)), "all 16 pixels"}, // of 3 channels each
	} {
		assert.Equal(t, tc.want, Where(tc.p), "%v", tc.p)
	}
}
