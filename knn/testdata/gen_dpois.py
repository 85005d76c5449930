#!/usr/bin/python3
"""Reference values of the Poisson / gamma mass e^{-mu} mu^x / Gamma(x+1) for knn's tests.

Run with /usr/bin/python3 (mpmath); writes dpois_ref.json. Each record is
[x, mu, mass] with the mass computed by mpmath at 60 significant digits and rounded to
the nearest float64 (0 where it is below 1e-300). x runs over half-integers and
integers from 0.5 to 2e6, mu over points around x (the saddle-point and both direct
branches of bd0), out to where the mass is about 1e-300.
"""
import json

import mpmath

mpmath.mp.dps = 60

records = []
xs = [0.5, 1, 2.5, 7, 15, 15.5, 16, 28, 100, 300.5, 1000, 2000, 12345.5, 1e5, 2e6]
for x in xs:
    for rel in (-0.9, -0.5, -0.2, -0.11, -0.09, -0.05, -0.01, 0, 0.003, 0.01, 0.05, 0.09,
                0.11, 0.2, 0.5, 1, 3, 10):
        # mu such that (x - mu)/(x + mu) = -rel/2 roughly: mu = x(1 + rel)
        mu = x * (1 + rel)
        if mu <= 0:
            continue
        mass = mpmath.exp(-mpmath.mpf(mu) + mpmath.mpf(x) * mpmath.log(mu) - mpmath.loggamma(mpmath.mpf(x) + 1))
        v = float(mass)
        if v < 1e-300:
            continue
        records.append([x, mu, v])
    # sd steps around the mode
    for z in (-30, -12, -5, -2, -1, -0.3, 0.3, 1, 2, 5, 12, 30):
        mu = x + z * mpmath.sqrt(x)
        if mu <= 0:
            continue
        mu = float(mu)
        mass = mpmath.exp(-mpmath.mpf(mu) + mpmath.mpf(x) * mpmath.log(mu) - mpmath.loggamma(mpmath.mpf(x) + 1))
        v = float(mass)
        if v < 1e-300:
            continue
        records.append([x, mu, v])

with open("dpois_ref.json", "w") as f:
    json.dump({"source": "mpmath %s, 60 digits" % mpmath.__version__,
               "fields": ["x", "mu", "mass"], "records": records}, f, indent=0)
print(len(records), "records")
