// Package experiment is the harness of rab's backdoor examples (examples/spambase,
// examples/digits, examples/mnist): it builds the paper's scenarios — a clean training
// set and one poisoned by each backdoor pattern (Section 7.1.5) — trains a vanilla
// classifier and a RAB model on each, and measures what the paper's Tables 1 and 2 report:
//
//   - benign accuracy of both on the clean test rows, and the RAB model's certified
//     accuracy on them at ‖δ‖ (eq. (19));
//   - on the triggered test rows that fooled the vanilla classifier: the vanilla and
//     the RAB model's robust accuracy, the certified accuracy of eq. (19) (R > ‖δ‖, as
//     if one training row were poisoned) and the certified accuracy against the attack
//     actually run (R > √(Σᵢ‖δᵢ‖²) over its r poisoned rows, eq. (12); ≈ ‖δ‖·√r,
//     eq. (13)).
//
// The fooled rows are those the vanilla classifier assigns to the attacker's target:
// class Attack.Target, or (y+1) mod C for an all-to-all attack (Attack.AllToAll, the
// paper's Appendix C.1); Result.FooledUntriggered counts those it assigns there without
// the trigger too, its own errors rather than the backdoor's doing.
//
// With [Harness.Variants] every RAB model is also measured in other forms on the same
// rows (an ensemble without its deterministic test-time noise: the paper's Table C.7),
// and [Harness.WriteAbstain] writes the abstain rates (Table C.8).
//
// With [Harness.Defences] (the paper's [Baselines]: AC, Spectral Signatures, Sphere,
// SCAn, from package defense) it also retrains the vanilla classifier on the rows each
// defence keeps, reading the representations [Harness.Represent] gives, and reports
// its robust accuracy on the same fooled rows beside RAB's, in the paper's column
// order.
//
// [Attack.Scenarios] builds the scenarios, [Harness.Run] evaluates them and prints the
// table ([Harness.WriteTable]) and [Plot] draws certified accuracy against the radius,
// as the paper's Fig. 4. The examples keep what is theirs: flags, data preparation,
// the vanilla classifier and the options of the RAB model. [Main] runs an example
// program ([Command]) with a -quiet flag, drawing progress bars only on a terminal;
// [Workers] and [Stage] turn its -workers flag and progress bar into the values of
// rab.WithWorkers and rab.WithProgress.
package experiment
