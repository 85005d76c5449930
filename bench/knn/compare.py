#!/usr/bin/python3
"""Side-by-side timing of the exact smoothed K-NN: the RAB paper's reference code
(TorchKNNExact in /work/shared/peers/rab-reference/knn_model.py, imported, not copied)
against rab's knn package (bench/knn/rabknn), on the same job: Spambase with the
reference code's 56 features, the same training and test rows, the reference code's
edges (its own fit() computes them), K = 1, two classes, one core each.

Usage (from the repository root):

    /usr/bin/python3 bench/knn/compare.py [--sigma 1] [--inputs 5] [--rounds 3]
        [--reference /work/shared/peers/rab-reference]

Each round times the reference on --inputs test rows (CPU time of predict_proba; the
rows differ from round to round), then runs rabknn in a fresh process on the whole
test set, the reference code's job: "cold" is its first pass over all 920 rows,
building the CDF tables as it goes, "warm" the median of five more passes; and on the
round's rows alone, cold ("few"), where building the tables costs most. The rounds
interleave, so that both sides see the same load. The script prints every round, the
medians and the ratios, and the largest difference between the two sides'
probabilities on the reference's rows (the reference drops the mass below its first
edge and computes distances in float32, so they agree to about 1e-8, not exactly).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigma", type=float, default=1.0)
    ap.add_argument("--inputs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reference", default="/work/shared/peers/rab-reference")
    args = ap.parse_args()
    sys.path.insert(0, args.reference)
    from knn_model import TorchKNNExact  # the reference implementation, unchanged

    torch.set_num_threads(1)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as tmp:
        rabknn = os.path.join(tmp, "rabknn")
        subprocess.run(["go", "build", "-o", rabknn, "./bench/knn/rabknn"], cwd=repo, check=True)
        subprocess.run([rabknn, "dump", "-dir", tmp], check=True)
        train = np.loadtxt(os.path.join(tmp, "train.csv"), delimiter=",")
        test = np.loadtxt(os.path.join(tmp, "test.csv"), delimiter=",")
        X, y = train[:, :-1], train[:, -1].astype(int)

        # The reference's own setting for Spambase (eval_knn.py): 200 buckets, bucket_shrink 0.1.
        peer = TorchKNNExact(K=1, sigma=args.sigma, N_bucket=200, bucket_shrink=0.1, gpu=False)
        peer.fit(torch.FloatTensor(X), y)
        edges = os.path.join(tmp, "edges.txt")
        with open(edges, "w") as f:
            for b in peer.buckets:
                f.write(repr(float(b)) + "\n")

        env = dict(os.environ, GOMAXPROCS="1")

        def run_rab(inputs, rounds):
            cmd = [rabknn, "time", "-dir", tmp, "-edges", edges, "-sigma", str(args.sigma),
                   "-k", "1", "-inputs", str(inputs), "-rounds", str(rounds)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
            fields, probs = {}, []
            for line in out.splitlines():
                key, *vals = line.split()
                if key == "probs":
                    probs.append([float(v) for v in vals])
                else:
                    fields[key] = float(vals[0])
            return fields, np.array(probs)

        peer_t, cold_t, warm_t, few_t, diff = [], [], [], [], 0.0
        all_tests = test[:, :-1]
        for r in range(args.rounds):
            rows = slice(r * args.inputs, (r + 1) * args.inputs)
            start = time.process_time()
            p_peer = peer.predict_proba(all_tests[rows])
            peer_t.append((time.process_time() - start) / args.inputs)
            fields, p_rab = run_rab(len(all_tests), 5)
            cold_t.append(fields["cold"])
            warm_t.append(fields["median"])
            diff = max(diff, float(np.max(np.abs(p_rab[rows] - p_peer))))
            few, _ = run_rab((r + 1) * args.inputs, 0)  # cold on the round's rows and those before
            few_t.append(few["cold"])
            print("round %d: reference %.4f s/input; rab, all %d rows: cold %.6f, warm %.6f s/input; "
                  "first %d rows cold %.6f s/input" % (r + 1, peer_t[-1], len(all_tests), cold_t[-1],
                                                       warm_t[-1], (r + 1) * args.inputs, few_t[-1]), flush=True)
        pm, cm, wm, fm = (statistics.median(v) for v in (peer_t, cold_t, warm_t, few_t))
        print("median: reference %.4f s/input; rab cold %.6f, warm %.6f, few rows cold %.6f s/input" % (pm, cm, wm, fm))
        print("ratio reference/rab: job cold %.0fx, warm %.0fx, few rows cold %.0fx" % (pm / cm, pm / wm, pm / fm))
        print("max |p_reference - p_rab| = %.3g" % diff)

if __name__ == "__main__":
    main()
