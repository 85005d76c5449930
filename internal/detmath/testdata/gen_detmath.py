# Reference values for detmath_test.go: exp and log correctly rounded to float64,
# computed with mpmath at 60 significant digits. Run: /usr/bin/python3 testdata/gen_detmath.py
import mpmath

mpmath.mp.dps = 60
xs_exp = [-745.0, -700.5, -253.32399029649505, -30.25, -1.0, -0.5, -1e-9, 1e-9, 0.1, 0.5, 1.0, 2.5, 10.0, 88.7, 300.125, 709.5]
xs_log = [1e-300, 1e-10, 0.1, 0.5, 0.70710678, 0.999999, 1.000001, 1.5, 2.0, 2.718281828459045, 3.0, 10.0, 1e10, 1e300]
print("var expRef = [][2]float64{")
for x in xs_exp:
    print("\t{%r, %r}," % (x, float(mpmath.exp(mpmath.mpf(x)))))
print("}")
print("var logRef = [][2]float64{")
for x in xs_log:
    print("\t{%r, %r}," % (x, float(mpmath.log(mpmath.mpf(x)))))
print("}")
