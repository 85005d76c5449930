#!/usr/bin/python3
"""Table stirlerrHalves in knn/ncx2.go: log Gamma(n+1) - (n+1/2) log n + n - log(2 pi)/2
for n = 0, 0.5, 1, ..., 15 (0 at n = 0 by convention), with mpmath at 40 digits.
The values agree with R's nmath sferr_halves table. Run with /usr/bin/python3."""
import mpmath

mpmath.mp.dps = 40
for i in range(31):
    n = mpmath.mpf(i) / 2
    v = mpmath.mpf(0) if i == 0 else (
        mpmath.loggamma(n + 1) - (n + mpmath.mpf(1) / 2) * mpmath.log(n) + n
        - mpmath.log(2 * mpmath.pi) / 2)
    print("\t%s, // n = %s" % (mpmath.nstr(v, 20), mpmath.nstr(n, 4)))
