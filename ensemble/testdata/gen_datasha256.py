#!/usr/bin/env python3
"""Reference value of ensemble.DataSHA256 for TestDataSHA256, computed from the
documented layout with Python's struct and hashlib (independently of the Go code):
domain string, then little-endian uint64 row count, each row as uint64 length and
float64 values, uint64 label count and int64 labels."""
import hashlib
import struct

X = [[1.0, 2.0], [3.5, -0.0]]
y = [0, 1, -3]
b = b"rab/ensemble.DataSHA256/v1" + struct.pack("<Q", len(X))
for row in X:
    b += struct.pack("<Q", len(row)) + b"".join(struct.pack("<d", v) for v in row)
b += struct.pack("<Q", len(y)) + b"".join(struct.pack("<q", c) for c in y)
print(hashlib.sha256(b).hexdigest())
