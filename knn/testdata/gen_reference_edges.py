#!/usr/bin/python3
"""The RAB reference code's K-NN bucket edges for Spambase, for knn's benchmarks.

Run with /usr/bin/python3 (SciPy); writes reference_edges.json. As TorchKNNExact.fit in
the paper's reference code (knn_model.py) with N_bucket = 200 and bucket_shrink = 0.1
(eval_knn.py's setting for Spambase), for d = 56 features and each sigma:

    lb = ncx2.ppf(1e-4, d*shrink, 0);  ub = ncx2.ppf(1 - 1e-4, d, d*shrink/sigma**2)
    edges = linspace(lb, ub, 200) * sigma**2

(squared-distance units, the form knn.WithEdges takes).
"""
import json

import numpy as np
import scipy
from scipy.stats import ncx2

d, shrink, n_bucket = 56, 0.1, 200
out = {"source": "scipy %s, the reference code's fit() formula" % scipy.__version__, "edges": {}}
for sigma in (0.5, 1.0):
    lb = ncx2.ppf(1e-4, d * shrink, 0)
    ub = ncx2.ppf(1 - 1e-4, d, d * shrink / sigma**2)
    out["edges"][repr(sigma)] = [float(b) for b in np.linspace(lb, ub, num=n_bucket) * sigma**2]
with open("reference_edges.json", "w") as f:
    json.dump(out, f, indent=0)
print("written")
