"""Reference values for reference_test.go, computed with PyTorch (Debian's python3-torch).

Run from this directory: /usr/bin/python3 gen_reference.py > reference.json

For two small networks of the kind package cnn builds (conv k×k with padding p and bias
-> ReLU -> 2x2 max-pool, repeated; fully connected ReLU layers; a linear output layer),
with weights and inputs drawn at random and rounded to float32, it computes in float64:
the logits of a batch, the gradients of the mean softmax cross-entropy with respect to
every parameter, and the parameters after one step of each optimiser (Adam, SGD,
momentum 0.9) with those gradients as torch.optim defines them. Tensors are written in
PyTorch's layouts (NCHW inputs, conv weights (F, C, kh, kw), linear weights (out, in),
flattening in (channel, row, column) order); the Go test converts them.
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


class Net(nn.Module):
    def __init__(self, h, w, c, k, pad, filters, hidden, classes):
        super().__init__()
        self.pad = pad
        self.convs = nn.ModuleList()
        for f in filters:
            self.convs.append(nn.Conv2d(c, f, kernel_size=k, padding=pad))
            h, w, c = (h + 2 * pad - k + 1) // 2, (w + 2 * pad - k + 1) // 2, f
        self.features = c * h * w
        self.fcs = nn.ModuleList()
        width = self.features
        for out in hidden + [classes]:
            self.fcs.append(nn.Linear(width, out))
            width = out

    def forward(self, x):
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        x = x.reshape(x.shape[0], -1)
        for i, fc in enumerate(self.fcs):
            x = fc(x)
            if i < len(self.fcs) - 1:
                x = F.relu(x)
        return x


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def case(name, seed, h, w, c, k, pad, filters, hidden, classes, batch):
    rng = np.random.default_rng(seed)
    net = Net(h, w, c, k, pad, filters, hidden, classes)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.from_numpy(f32(rng.normal(0, 0.5, size=p.shape))))
    x = torch.from_numpy(f32(rng.uniform(-1, 1, size=(batch, c, h, w))))
    y = torch.from_numpy(rng.integers(0, classes, size=batch))
    logits = net(x)
    loss = F.cross_entropy(logits, y)
    net.zero_grad()
    loss.backward()
    params = [p.detach().clone() for p in net.parameters()]
    grads = [p.grad.detach().clone() for p in net.parameters()]
    steps = {}
    for opt_name, make in [('adam', lambda ps: torch.optim.Adam(ps, lr=1e-3)),
                           ('sgd', lambda ps: torch.optim.SGD(ps, lr=0.1)),
                           ('momentum', lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))]:
        ps = [nn.Parameter(p.clone()) for p in params]
        opt = make(ps)
        for _ in range(3):  # three steps with the same gradients
            for p, g in zip(ps, grads):
                p.grad = g.clone()
            opt.step()
        steps[opt_name] = [p.detach().numpy().ravel().tolist() for p in ps]
    return {
        'name': name, 'h': h, 'w': w, 'c': c, 'kernel': k, 'padding': pad,
        'filters': filters, 'hidden': hidden, 'classes': classes,
        'x': x.numpy().ravel().tolist(), 'y': y.numpy().tolist(),
        'params': [p.numpy().ravel().tolist() for p in params],
        'shapes': [list(p.shape) for p in params],
        'logits': logits.detach().numpy().ravel().tolist(),
        'loss': loss.item(),
        'grads': [g.numpy().ravel().tolist() for g in grads],
        'steps': steps,
    }


print(json.dumps({'torch': torch.__version__, 'cases': [
    # odd sides: both pools drop a row or a column; padding 1
    case('padded', 1, 10, 9, 2, 3, 1, [3, 4], [5], 3, 4),
    # no padding, no hidden layer, two classes
    case('valid', 2, 12, 12, 1, 3, 0, [2, 3], [], 2, 3),
]}))
