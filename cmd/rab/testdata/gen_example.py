#!/usr/bin/env python3
"""Writes example-train.csv and example-test.csv, the data of the README's
walk-through of the rab command ("Train on many machines") and of cmd/rab's tests:
408 rows of UCI Spambase (internal/dataset/spambase.csv, CC BY 4.0; see
internal/dataset/README.md), drawn without replacement with Python's random.Random(1),
the first 400 for training and the last 8 for certification. Rows are copied
unmodified, header included (57 features, then the label column "spam").

Run from this directory: python3 gen_example.py
"""
import random

with open("../../../internal/dataset/spambase.csv") as f:
    lines = f.read().splitlines()
header, rows = lines[0], lines[1:]
picked = random.Random(1).sample(range(len(rows)), 408)
for name, part in (("example-train.csv", picked[:400]), ("example-test.csv", picked[400:])):
    with open(name, "w") as f:
        f.write(header + "\n")
        for i in part:
            f.write(rows[i] + "\n")
