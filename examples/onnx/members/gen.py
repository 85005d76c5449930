#!/usr/bin/python3
"""Train the ONNX ensemble members that examples/onnx certifies.

This script stands for "a framework other than rab": it runs Algorithm 1 of Weber et
al., "RAB: Provable Robustness Against Backdoor Attacks" (IEEE S&P 2023), lines 2-4,
in plain numpy and exports every member as ONNX. Run it with Debian's interpreter,
which has python3-onnx and numpy:

    cd examples/onnx/members && /usr/bin/python3 gen.py

Data: the 1,797 8x8 digits of internal/dataset/digits.csv (UCI "Optical Recognition
of Handwritten Digits", CC BY 4.0; see internal/dataset/README.md), pixels scaled to
[0, 1] by /16. Split: numpy.random.default_rng(SPLIT_SEED).permutation(1797); the
first round(0.2 * 1797) = 359 rows of the permutation are the test rows, never seen in
training; the other 1,438 are the training set D. The test indices (rows of
digits.csv, 0-based, header excluded) and their labels go to manifest.json, which the
Go example reads.

Member k = 0 ... MEMBERS-1 (Algorithm 1, lines 2-4), with its own generator
rng_k = numpy.random.default_rng([SEED, k]):
    D + eps_k   eps_k = SIGMA * rng_k.standard_normal((1438, 64)), drawn once
    h_k         a 64 -> 16 -> 10 MLP (ReLU), He-normal initial weights drawn from
                rng_k after eps_k, zero biases; full-batch Adam (lr 0.02, betas 0.9 and
                0.999, eps 1e-8) for 200 steps on the mean cross-entropy of D + eps_k
                plus 1e-4/2 * |W|^2 on the weight matrices; float64 arithmetic.
The test-time noise u_k of Algorithm 1, line 5 is not drawn here: rab draws it from
the SHA-256 of each member's ONNX bytes (ensemble.FromModels).

Each member is written as member_NNNN.onnx, opset 13, float32, in the operator subset
that rab's ensemble/onnx supports:
    x [batch, 64] -> Gemm(W1 [64, 16], b1 [16]) -> Relu -> Gemm(W2 [16, 10], b2 [10])
      -> Softmax(axis 1) -> probabilities [batch, 10]

manifest.json also records, per member, how many test rows it classifies correctly
without noise (float64 arithmetic on its float32 weights), which the Go test compares
with the same members run by onnx-go.

Reproducibility: the committed files were produced with numpy 1.24.2 and onnx 1.12.0
(Debian bookworm) on x86-64; BLAS is pinned to one thread. Rerunning the script there
rewrites every file byte for byte (check with git diff --stat). Another BLAS or CPU
may round the training arithmetic differently and give slightly different weights.
"""
import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # one thread: no thread-count-dependent summation order

import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "internal", "dataset", "digits.csv")

SPLIT_SEED = 20240601  # the train/test permutation
SEED = 20240602        # member k draws from default_rng([SEED, k])
MEMBERS = 100          # N
SIGMA = 0.25           # smoothing noise of training, N(0, SIGMA^2 I)
TEST_FRACTION = 0.2
HIDDEN = 16
CLASSES = 10
STEPS, LR, BETA1, BETA2, ADAM_EPS, DECAY = 200, 0.02, 0.9, 0.999, 1e-8, 1e-4
OPSET = 13


def load_digits():
    data = np.loadtxt(DATA, delimiter=",", skiprows=1)
    return data[:, :64] / 16.0, data[:, 64].astype(np.int64)


def split(n):
    perm = np.random.default_rng(SPLIT_SEED).permutation(n)
    n_test = int(TEST_FRACTION * n + 0.5)
    return perm[n_test:], perm[:n_test]


def train_member(X, onehot, k):
    """Algorithm 1, lines 2-4 for member k: noise the training set, fit an MLP."""
    rng = np.random.default_rng([SEED, k])
    noisy = X + SIGMA * rng.standard_normal(X.shape)
    d = X.shape[1]
    params = [rng.standard_normal((d, HIDDEN)) * np.sqrt(2.0 / d), np.zeros(HIDDEN),
              rng.standard_normal((HIDDEN, CLASSES)) * np.sqrt(2.0 / HIDDEN), np.zeros(CLASSES)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    n = len(noisy)
    for step in range(1, STEPS + 1):
        W1, b1, W2, b2 = params
        pre = noisy @ W1 + b1
        h = np.maximum(pre, 0.0)
        z = h @ W2 + b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        gh = (g @ W2.T) * (pre > 0)
        grads = [noisy.T @ gh + DECAY * W1, gh.sum(axis=0), h.T @ g + DECAY * W2, g.sum(axis=0)]
        for i, grad in enumerate(grads):
            m[i] = BETA1 * m[i] + (1 - BETA1) * grad
            v[i] = BETA2 * v[i] + (1 - BETA2) * grad * grad
            m_hat = m[i] / (1 - BETA1 ** step)
            v_hat = v[i] / (1 - BETA2 ** step)
            params[i] = params[i] - LR * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
    return [p.astype(np.float32) for p in params]


def predict(params, X):
    """Noise-free argmax in float64 arithmetic on the float32 weights."""
    W1, b1, W2, b2 = (p.astype(np.float64) for p in params)
    return (np.maximum(X @ W1 + b1, 0.0) @ W2 + b2).argmax(axis=1)


def export(params, k, path):
    W1, b1, W2, b2 = params
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["hidden_pre"]),
        helper.make_node("Relu", ["hidden_pre"], ["hidden"]),
        helper.make_node("Gemm", ["hidden", "W2", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    inits = [numpy_helper.from_array(a, name=name)
             for name, a in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))]
    graph = helper.make_graph(
        nodes, f"member_{k:04d}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", W1.shape[0]])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", CLASSES])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="rab examples/onnx/members/gen.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    X, y = load_digits()
    train, test = split(len(X))
    onehot = np.eye(CLASSES)[y[train]]
    correct = []
    for k in range(MEMBERS):
        params = train_member(X[train], onehot, k)
        export(params, k, os.path.join(HERE, f"member_{k:04d}.onnx"))
        correct.append(int((predict(params, X[test]) == y[test]).sum()))
    manifest = {
        "about": "ONNX members trained by gen.py (Algorithm 1, lines 2-4); see its docstring",
        "data": "internal/dataset/digits.csv",
        "scale": 16,
        "sigma": SIGMA,
        "members": MEMBERS,
        "classes": CLASSES,
        "split_seed": SPLIT_SEED,
        "seed": SEED,
        "numpy": np.__version__,
        "onnx": onnx.__version__,
        "train_rows": len(train),
        "test_indices": test.tolist(),
        "test_labels": y[test].tolist(),
        "member_test_correct": correct,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in manifest.items()]
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"{MEMBERS} members, sigma {SIGMA}: noise-free test accuracy per member "
          f"{min(correct) / len(test):.3f} to {max(correct) / len(test):.3f}")


if __name__ == "__main__":
    main()
