#!/usr/bin/python3
"""Reference values for the defense package's tests (reference_test.go).

Run with Debian's python3-numpy and python3-sklearn (numpy 1.24, scikit-learn 1.2):

    /usr/bin/python3 defense/testdata/gen_reference.py > defense/testdata/reference.json

It draws a small fixed data set (two classes in 12 dimensions, a planted cluster of 8
rows in class 0) and a clean set for SCAn from numpy's seeded generator, and computes
with numpy / scikit-learn, independently of the Go code:

  * Spectral Signatures (Tran et al. 2018): per class, the squared projections of the
    centred rows on the top right singular vector (numpy.linalg.svd);
  * PCA to 10 dimensions per class (sklearn.decomposition.PCA.fit_transform), plain
    and whitened (whiten=True), with the package's sign convention: each component's
    entry of largest magnitude is positive;
  * Activation Clustering's 2-means of the PCA scores (sklearn.cluster.KMeans,
    n_init=KMEANS_RESTARTS): labels, centres, inertia; and the partition k-means finds on
    sklearn's FastICA components (ART's reduce="FastICA"), which must equal the one on
    the whitened PCA scores;
  * Sphere: distances from the class centroid in the PCA space;
  * SCAn (Tang et al. 2021): the EM decomposition, the two-group untangling and the
    statistic J, written out from the formulas in scan.go's documentation.
"""
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, FastICA
from sklearn.exceptions import ConvergenceWarning

# FastICA may stop at max_iter on 32 rows; its unmixing matrix is orthogonal at every
# iteration, which is all the partition check needs.
warnings.simplefilter("ignore", ConvergenceWarning)

D, DIMS, EPS = 12, 10, 0.1
# Enough k-means++ restarts that scikit-learn and the Go code both reach the global
# optimum of the 2-means objective on both classes (class 1 has no cluster structure,
# so its objective has many local optima; whitened, the optimum of class 0 is reached
# from about 1 in 800 seedings).
KMEANS_RESTARTS = 10000
rng = np.random.default_rng(20240607)


def draw(n0, n1, planted):
    X0 = rng.normal(size=(n0, D))
    X1 = rng.normal(size=(n1, D)) + 3.0 * np.eye(D)[0]
    X0[:planted] += 4.0 * np.eye(D)[1] + 2.0 * np.eye(D)[2]
    X = np.vstack([X0, X1])
    y = np.array([0] * n0 + [1] * n1)
    perm = rng.permutation(len(y))
    return X[perm], y[perm], sorted(int(i) for i in np.flatnonzero(perm < planted))


X, y, planted = draw(40, 32, 8)
cleanX, cleanY, _ = draw(20, 20, 0)


def spectral_scores(A):
    M = A - A.mean(axis=0)
    _, _, vt = np.linalg.svd(M, full_matrices=False)
    return (M @ vt[0]) ** 2


def top(scores, rows, count):
    order = sorted(range(len(rows)), key=lambda r: (-scores[r], rows[r]))
    return sorted(rows[r] for r in order[:count])


def fix_signs(components, Z):
    for j in range(components.shape[0]):
        big = int(np.argmax(np.abs(components[j])))
        if components[j, big] < 0:
            components[j] *= -1
            Z[:, j] *= -1
    return Z


def canonical(labels):
    sizes = np.bincount(labels, minlength=2)
    if sizes[1] > sizes[0] or (sizes[1] == sizes[0] and labels[0] == 1):
        return 1 - labels, [int(sizes[1]), int(sizes[0])], True
    return labels, [int(sizes[0]), int(sizes[1])], False


def kmeans2(Z):
    km = KMeans(n_clusters=2, n_init=KMEANS_RESTARTS, random_state=0).fit(Z)
    labels, sizes, swapped = canonical(km.labels_)
    centres = km.cluster_centers_[::-1] if swapped else km.cluster_centers_
    return km, labels, sizes, centres


# --- SCAn, from the formulas ------------------------------------------------------
def sym_func(S, f):
    w, Q = np.linalg.eigh(S)
    tol = S.shape[0] * np.finfo(float).eps * np.max(np.abs(w))
    keep = w > tol
    return (Q[:, keep] * f(w[keep])) @ Q[:, keep].T


def pinv(S):
    return sym_func(S, lambda w: 1 / w)


def posterior_mean(Su, Se, n, s):
    return Su @ pinv(Se + n * Su) @ s


def covariances(R, labels, mus):
    U = np.array([mus[c] for c in labels])
    return np.cov(U.T), np.cov((R - U).T)


def global_model(Xg, yg):
    m = Xg.mean(axis=0)
    R = Xg - m
    classes = sorted(set(yg))
    sums = {c: R[yg == c].sum(axis=0) for c in classes}
    counts = {c: int((yg == c).sum()) for c in classes}
    mus = {c: sums[c] / counts[c] for c in classes}
    Su, Se = covariances(R, yg, mus)
    iterations = 0
    for _ in range(1000):
        iterations += 1
        mus = {c: posterior_mean(Su, Se, counts[c], sums[c]) for c in classes}
        nSu, nSe = covariances(R, yg, mus)
        delta = np.linalg.norm(nSu - Su) + np.linalg.norm(nSe - Se)
        Su, Se = nSu, nSe
        if delta <= 1e-12 * (np.linalg.norm(Su) + np.linalg.norm(Se)):
            break
    return m, Su, Se, iterations


def untangle(R, Su, Se):
    F = pinv(Se)
    W = sym_func(Se, lambda w: 1 / np.sqrt(w))
    Y = (R - R.mean(axis=0)) @ W
    _, _, vt = np.linalg.svd(Y, full_matrices=False)
    v = vt[0]
    v = v if v[np.argmax(np.abs(v))] > 0 else -v
    z = (Y @ v > 0).astype(int)
    for _ in range(100):
        mu = [R[z == g].mean(axis=0) for g in (0, 1)]
        w = F @ (mu[1] - mu[0])
        b = w @ (mu[1] + mu[0]) / 2
        nz = (R @ w > b).astype(int)
        moved = (nz != z).any()
        z = nz
        if not moved:
            break
    mu = [R[z == g].mean(axis=0) for g in (0, 1)]
    sizes = np.bincount(z, minlength=2)
    small = 1 if sizes[1] < sizes[0] or (sizes[1] == sizes[0] and z[0] == 0) else 0
    w = F @ (mu[small] - mu[1 - small])
    b = w @ (mu[small] + mu[1 - small]) / 2
    scores = R @ w - b
    groups = (z == small).astype(int)
    muhat = posterior_mean(Su, Se, len(z), R.sum(axis=0))
    J = np.mean([(r - muhat) @ F @ (r - muhat) - (r - mu[g]) @ F @ (r - mu[g]) for r, g in zip(R, z)])
    return groups, scores, J


def main():
    out = {
        "provenance": "defense/testdata/gen_reference.py, numpy %s, scikit-learn %s" % (np.__version__, sklearn.__version__),
        "X": X.tolist(), "y": y.tolist(), "planted": planted, "cleanX": cleanX.tolist(), "cleanY": cleanY.tolist(),
        "dims": DIMS, "eps": EPS,
        "spectralScores": [0.0] * len(y), "spectralFlagged": [],
        "sphereScores": [0.0] * len(y),
        "classes": [],
    }
    m, Su, Se, iterations = global_model(cleanX, cleanY)
    out["scanIterations"] = iterations
    out["scanGroups"], out["scanScores"], out["scanJ"] = [0] * len(y), [0.0] * len(y), []
    for c in (0, 1):
        rows = [int(i) for i in np.flatnonzero(y == c)]
        A = X[rows]
        s = spectral_scores(A)
        for r, i in enumerate(rows):
            out["spectralScores"][i] = float(s[r])
        out["spectralFlagged"] += top(s, rows, int(np.ceil(1.5 * EPS * len(rows) * (1 - 1e-12))))

        pca = PCA(n_components=DIMS).fit(A)
        Z = fix_signs(pca.components_.copy(), pca.transform(A))
        wpca = PCA(n_components=DIMS, whiten=True).fit(A)
        ZW = fix_signs(wpca.components_.copy(), wpca.transform(A))
        km, labels, sizes, centres = kmeans2(Z)
        _, wlabels, _, _ = kmeans2(ZW)
        ica = FastICA(n_components=DIMS, whiten="unit-variance", max_iter=10000, tol=1e-6, random_state=0)
        _, ilabels, _, _ = kmeans2(ica.fit_transform(A))
        for r, i in enumerate(rows):
            out["sphereScores"][i] = float(np.linalg.norm(Z[r]))
        out["classes"].append({
            "rows": rows, "pca": Z.tolist(), "whitenedPCA": ZW.tolist(),
            "kmeansLabels": labels.tolist(), "kmeansSizes": sizes,
            "kmeansCentres": np.asarray(centres).tolist(), "kmeansInertia": float(km.inertia_),
            "whitenedLabels": wlabels.tolist(), "icaLabels": ilabels.tolist(),
        })

        groups, scores, J = untangle(X[rows] - m, Su, Se)
        for r, i in enumerate(rows):
            out["scanGroups"][i] = int(groups[r])
            out["scanScores"][i] = float(scores[r])
        out["scanJ"].append(float(J))
    out["spectralFlagged"].sort()
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
