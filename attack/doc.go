// Package attack builds the backdoor attacks that RAB is evaluated against
// (Weber et al., "RAB: Provable Robustness Against Backdoor Attacks", IEEE S&P 2023,
// Section 7.1.5, Tables 1–2 and Appendix C.1): additive trigger patterns δ with an
// exact L2 norm ‖δ‖₂, poisoned training sets and backdoored test sets.
//
// # Patterns
//
// A [Pattern] is a fixed vector δ ∈ ℝᵈ together with the [Shape] of the rows it is
// added to. Images are stored row-major and channel-last: pixel (h, w) channel c of
// an H×W×C image is at flat index (h·W + w)·C + c (see [Shape.Index]). Tabular rows
// of d features use [Tabular](d), the 1×d×1 shape, so feature j is at index j.
//
//   - [OnePixel]: one pixel, by default the centre ((H−1)/2, (W−1)/2), all channels.
//   - [FourPixel]: the four pixels (h−1, w+1), (h, w), (h+1, w−1), (h+1, w+1) around
//     an anchor (h, w), by default the centre, all channels.
//   - [Blend]: uniform random noise over every entry, fixed by a seed.
//   - [OnePixelFeatures], [FourPixelFeatures]: the one- and four-pixel patterns at
//     explicit feature indices of tabular rows.
//   - [Custom]: any δ.
//
// Every entry of a one- or four-pixel pattern has the same value ‖δ‖₂/√k, k being the
// number of entries. The constructors scale δ so that its exact (real-number) norm is
// at most the requested norm and within a few units in the last place of it; the
// certificate compares a radius R against [Pattern.Norm], so Norm never under-states
// ‖δ‖₂.
//
// # Applying, poisoning, triggering
//
// [Pattern.Apply] and [Pattern.ApplyTo] add δ to a row without mutating it, optionally
// clipping the touched entries to a valid range ([WithClip]). They report the norm
// actually added, ‖x′ − x‖₂, rounded up so that floating-point rounding and clipping
// never make it under-state the change.
//
// [Poison] returns a poisoned copy of a training set: r = ⌊rate·n⌋ rows, chosen with
// a seed among the rows not already of the target class, carry δ and are relabelled
// to the target (all-to-one), or to (y+1) mod C ([WithAllToAll], Appendix C.1). r is
// the r of Corollary 1, eq. (13), and [Poisoned.TotalNorm] is the left-hand side
// √(Σᵢ‖δᵢ‖²) of eq. (12). [Trigger] and [TriggerAllToAll] build the backdoored test
// set on which the attack's success is measured.
//
// The defaults of [Poison] follow the paper (Section 7.1.5) and its reference
// implementation: target label 0 and a poison rate of 10 % of the training set.
//
// # Options and errors
//
// An option compiles only where it applies: [WithClip] is an [ApplyOption] (every
// call), [WithClasses] a [TriggerOption] (Trigger and Poison), [WithRate],
// [WithTarget], [WithAllToAll] and [WithSeed] are of type [PoisonOption] (Poison
// alone); [AtPixel] and [InChannel], of type [PatternOption], place [OnePixel] and
// [FourPixel] patterns. A nil option is an error. Every error is about the caller's
// input and wraps rab.ErrInvalidInput; the package imports nothing of rab's smoothers.
package attack
