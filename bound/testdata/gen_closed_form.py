#!/usr/bin/python3
"""Generate bound/testdata/closed_form.csv, the reference values of closedform_test.go.

Run from the repository root with the Debian Python that has mpmath:

    /usr/bin/python3 bound/testdata/gen_closed_form.py

Rows (all floats as exact hexadecimal float64, Python's float.hex):

  root,n,alpha,x,w   x = the float64 nearest alpha^(1/n) and w = the float64 nearest
                     1 - alpha^(1/n), exact values computed with mpmath at 120
                     significant digits: the Clopper-Pearson lower bound for k = n
                     and upper bound for k = 0. The sweep: n in 1, 2, 3, 5, 10, 100,
                     1e3, 1e4, 1e6, 1e9, 2^53 + 2, 1e18 (past 2^53 float64(n) rounds);
                     alpha log-uniform over [2^-1074, 1e-200] (subnormals
                     included), over [1e-200, 0.5], uniform over [0.99, 1), and
                     1 - 2^-j, plus the failing points of issue 11.
  exp,T,y            y = the float64 nearest exp(T), T uniform over [-745, 0] and
                     log-uniform over [1e-20, 1] in magnitude;
  expm1,T,y          y = the float64 nearest expm1(T), same T;
  log,alpha,y        y = the float64 nearest ln(alpha), alpha as in the sweep.

The last three check the assumption of the error analysis in closedform.go, that
Go's math.Exp, math.Expm1 and math.Log are accurate to about one ulp. The output is
deterministic (fixed seed); the committed file must equal a fresh run.
"""

import math
import os
import random

import mpmath as mp

mp.mp.dps = 120
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "closed_form.csv")
rng = random.Random(11)


def nearest(v):
    """The float64 nearest the mpf v, ties to even; subnormals rounded once, to a
    multiple of 2^-1074 (mpmath's float() would round twice there)."""
    v = mp.mpf(v)
    if abs(v) < mp.mpf(2) ** -1022:
        return int(mp.nint(v * mp.mpf(2) ** 1074)) * 2.0 ** -1074
    return float(v)


def log_uniform(lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def alphas():
    out = [2.189101159265575e-230, 1e-227, 1e-300, 2.0 ** -1022, 2.0 ** -1074, 5e-324 * 3,
           0.997, 0.998, 0.999, 0.9999, 0.5, 0.05, 0.001, 0.001 / 2, 0.001 / 6, 0.001 / 20]
    out += [2.0 ** -1074 * 2 ** rng.uniform(0, 1074 - 664) for _ in range(40)]  # to ~1e-200
    out += [log_uniform(1e-200, 0.5) for _ in range(120)]
    out += [rng.uniform(0.99, 1) for _ in range(80)]
    out += [1 - 2.0 ** -j for j in range(1, 54)]
    return [a for a in out if 0 < a < 1]


rows = []
N = [1, 2, 3, 5, 10, 100, 1000, 10 ** 4, 10 ** 6, 10 ** 9, 2 ** 53 + 2, 10 ** 18]
for n in N:
    for a in alphas():
        x = mp.root(mp.mpf(a), n)
        rows.append("root,%d,%s,%s,%s" % (n, a.hex(), nearest(x).hex(), nearest(1 - x).hex()))

for _ in range(300):
    for t in (-rng.uniform(0, 745), -log_uniform(1e-20, 1)):
        rows.append("exp,%s,%s" % (t.hex(), nearest(mp.exp(mp.mpf(t))).hex()))
        rows.append("expm1,%s,%s" % (t.hex(), nearest(mp.expm1(mp.mpf(t))).hex()))
for a in alphas():
    rows.append("log,%s,%s" % (a.hex(), nearest(mp.log(mp.mpf(a))).hex()))

with open(OUT, "w") as out:
    out.write("\n".join(rows) + "\n")
print("wrote %d rows to %s" % (len(rows), os.path.normpath(OUT)))
