#!/usr/bin/python3
"""Reference values of the noncentral chi-squared CDF for knn's tests.

Run with /usr/bin/python3 (SciPy); writes ncx2_ref.json. Each record is
[d, lambda, t, scipy.stats.ncx2.cdf(t, d, lambda)] (chi2.cdf for lambda = 0), with the
points t placed at quantiles of the distribution so that both tails are exercised,
and an independent mpmath evaluation (30 digits, Poisson mixture of regularised
incomplete gamma functions) recorded beside it where it is affordable.
"""
import json

import mpmath
import numpy as np
from scipy import stats

mpmath.mp.dps = 30


def mp_ncx2_cdf(t, d, lam):
    """sum_k Pois(k; lam/2) P(d/2+k, t/2), summed outward from the Poisson mode."""
    mu = mpmath.mpf(lam) / 2
    a = mpmath.mpf(d) / 2
    x = mpmath.mpf(t) / 2
    if lam == 0:
        return mpmath.gammainc(a, 0, x, regularized=True)
    mode = int(mpmath.floor(mu))
    total = mpmath.mpf(0)
    for direction in (range(mode, -1, -1), range(mode + 1, mode + 10**7)):
        for k in direction:
            w = mpmath.exp(-mu + k * mpmath.log(mu) - mpmath.loggamma(k + 1))
            term = w * mpmath.gammainc(a + k, 0, x, regularized=True)
            total += term
            if w < mpmath.mpf(10) ** -40:
                break
    return total


records = []
for d in (1, 2, 56, 64):
    for lam in (0.0, 1e-3, 0.5, 7.3, 100.0, 1e3, 1e5):
        if lam == 0:
            dist = stats.chi2(d)
        else:
            dist = stats.ncx2(d, lam)
        for q in (1e-12, 1e-6, 1e-2, 0.3, 0.5, 0.9, 0.999, 1 - 1e-9):
            t = float(dist.ppf(q))
            if not np.isfinite(t) or t <= 0:
                continue
            ref = float(dist.cdf(t))
            mp = None
            if lam <= 1e3:
                mp = float(mp_ncx2_cdf(t, d, lam))
            records.append([d, lam, t, ref, mp])

with open("ncx2_ref.json", "w") as f:
    json.dump({"source": "scipy.stats.ncx2.cdf / chi2.cdf (scipy %s), mpmath %s" % (
        __import__("scipy").__version__, mpmath.__version__),
        "fields": ["d", "lambda", "t", "scipy_cdf", "mpmath_cdf_or_null"],
        "records": records}, f, indent=0)
print(len(records), "records")
