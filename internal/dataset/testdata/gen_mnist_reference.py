#!/usr/bin/env python3
"""Reference values for TestMNISTReal (internal/dataset/mnist_test.go).

Reads the four MNIST IDX gzip files independently of the Go code (gzip + struct only)
and prints, per split: the image count, the label histogram, the first five labels, and
for image 0 the number of non-zero pixels and the sum of its pixel bytes.

Usage: python3 gen_mnist_reference.py DIR   (DIR = the GoMNIST module's data/, e.g.
$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data)
"""
import gzip
import hashlib
import struct
import sys

d = sys.argv[1]
for split in ("train", "t10k"):
    img_path = f"{d}/{split}-images-idx3-ubyte.gz"
    lab_path = f"{d}/{split}-labels-idx1-ubyte.gz"
    img = gzip.open(img_path).read()
    lab = gzip.open(lab_path).read()
    magic, n, rows, cols = struct.unpack(">IIII", img[:16])
    lmagic, ln = struct.unpack(">II", lab[:8])
    assert (magic, lmagic, rows, cols, ln) == (0x803, 0x801, 28, 28, n)
    assert len(img) == 16 + n * 784 and len(lab) == 8 + n
    labels = lab[8:]
    hist = [labels.count(c) for c in range(10)]
    first = img[16:16 + 784]
    for p in (img_path, lab_path):
        print(p.rsplit("/", 1)[1], hashlib.sha256(open(p, "rb").read()).hexdigest())
    print(split, "n", n, "hist", hist, "first labels", list(labels[:5]),
          "image0 nonzero", sum(1 for b in first if b), "image0 byte sum", sum(first))
