#!/usr/bin/python3
"""Generate the tiny ONNX models in this directory and their reference outputs.

Run with Debian's interpreter, which has python3-onnx and numpy:

    cd ensemble/onnx/testdata && /usr/bin/python3 gen_models.py

Weights and test inputs come from numpy's seeded generator (seed 20240517), so the
script is reproducible. Reference outputs are computed independently of any ONNX
runtime, with the plain numpy implementations of each operator below (float64
arithmetic on the float32 weights and on the float32-rounded inputs, exactly the
numbers the Go side feeds to the model). They are written to reference.json:

    {"<model>.onnx": {"inputs": [[...], ...],   # rows, flattened (C*H*W for images)
                      "outputs": [[...], ...],  # model output per row
                      "argmax": [...]}}         # predicted class per row

Models accepted by ensemble/onnx:
    linear.onnx  opset 13  Gemm(transB) -> Softmax                           4 -> 3
    mlp.onnx     opset 11  Gemm -> Relu -> MatMul -> Add                      4 -> 8 -> 3
    deep.onnx    opset 9   Gemm -> Sigmoid -> Gemm -> Tanh -> Softmax -> Gemm 4 -> 6 -> 5 -> 3
    binary.onnx  opset 12  MatMul -> Add -> Softmax                           4 -> 2
                 (2 classes: a batch size of 2 would make onnx-go broadcast the bias wrongly)
    cnn.onnx     opset 10  Conv(3x3, pad 1) -> BatchNormalization -> MaxPool(3x3, stride 2, pad 1)
                           -> Flatten -> Gemm(transB)                         1x4x4 -> 3
                 (no Relu before or after MaxPool: windows of negative values tell -inf
                 padding from zero padding)
    legacy.onnx  opset 9   as mlp.onnx, initializers also listed as inputs ahead of x
    gap.onnx     opset 13  Conv(2x2) -> Sigmoid -> GlobalAveragePool -> Reshape -> Softmax
                                                                              1x4x4 -> 3
ensemble.json holds ROWS shared inputs and the argmax of each 4 -> 3 model (linear, mlp,
deep) on them, for the noise-free vote counts of an ensemble of these three members:

    {"models": [...], "inputs": [[...], ...], "argmax": [[model 0, model 1, model 2], ...]}

Models ensemble/onnx must reject at load time are written to reject/ (see make_rejects).
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240517
ROWS = 8          # reference rows per model
MIN_MARGIN = 1e-3  # top-1 vs top-2 output gap, so the argmax is unambiguous in float32

rng = np.random.default_rng(SEED)


def weights(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name=name)


def tensor_info(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


def save(path, nodes, inits, inputs, outputs, opset):
    graph = helper.make_graph(nodes, os.path.splitext(os.path.basename(path))[0],
                              inputs, outputs, initializer=inits)
    model = helper.make_model(graph, producer_name="rab gen_models.py",
                              opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


# ---- numpy reference operators (float64) ----

def gemm(x, w, b, trans_b=False):
    w = w.astype(np.float64)
    return x @ (w.T if trans_b else w) + b.astype(np.float64)


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def conv2d(x, w, b, pad):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i:i + kh, j:j + kw]  # n,c,kh,kw
            out[:, :, i, j] = np.tensordot(patch, w.astype(np.float64), axes=([1, 2, 3], [1, 2, 3]))
    return out + b.astype(np.float64)[None, :, None, None]


def batchnorm(x, scale, bias, mean, var, eps):
    sh = (1, -1, 1, 1)
    return ((x - mean.reshape(sh)) / np.sqrt(var.astype(np.float64).reshape(sh) + np.float64(np.float32(eps)))
            * scale.reshape(sh) + bias.reshape(sh))


def maxpool(x, k, stride, pad, pad_value=-np.inf):
    """MaxPool2D; ONNX pads with -inf, i.e. padded cells are never the maximum."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=pad_value)
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(2, 3))
    return out


# ---- accepted models ----

def make_linear():
    w, b = weights(3, 4), weights(3)
    save("linear.onnx",
         [helper.make_node("Gemm", ["x", "w", "b"], ["logits"], transB=1),
          helper.make_node("Softmax", ["logits"], ["probs"])],
         [init("w", w), init("b", b)],
         [tensor_info("x", ["N", 4])], [tensor_info("probs", ["N", 3])], 13)
    return (4,), lambda x: softmax(gemm(x, w, b, trans_b=True))


def make_mlp(path="mlp.onnx", opset=11, legacy=False):
    """legacy: list the initializers as graph inputs too, ahead of x, as exporters for
    IR version < 4 did."""
    w1, b1, w2, b2 = weights(4, 8), weights(8), weights(8, 3), weights(3)
    inits = [init("w1", w1), init("b1", b1), init("w2", w2), init("b2", b2)]
    inputs = [tensor_info("x", ["N", 4])]
    if legacy:
        inputs = [tensor_info(t.name, list(t.dims)) for t in inits] + inputs
    save(path,
         [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"]),
          helper.make_node("Relu", ["h"], ["a"]),
          helper.make_node("MatMul", ["a", "w2"], ["z"]),
          helper.make_node("Add", ["z", "b2"], ["logits"])],
         inits, inputs, [tensor_info("logits", ["N", 3])], opset)
    return (4,), lambda x: gemm(relu(gemm(x, w1, b1)), w2, b2)


def make_deep():
    w1, b1, w2, b2, w3, b3 = weights(4, 6), weights(6), weights(6, 5), weights(5), weights(5, 3), weights(3)
    save("deep.onnx",
         [helper.make_node("Gemm", ["x", "w1", "b1"], ["h1"]),
          helper.make_node("Sigmoid", ["h1"], ["a1"]),
          helper.make_node("Gemm", ["a1", "w2", "b2"], ["h2"]),
          helper.make_node("Tanh", ["h2"], ["a2"]),
          helper.make_node("Softmax", ["a2"], ["s2"]),
          helper.make_node("Gemm", ["s2", "w3", "b3"], ["logits"])],
         [init(k, v) for k, v in dict(w1=w1, b1=b1, w2=w2, b2=b2, w3=w3, b3=b3).items()],
         [tensor_info("x", ["N", 4])], [tensor_info("logits", ["N", 3])], 9)
    return (4,), lambda x: gemm(softmax(np.tanh(gemm(sigmoid(gemm(x, w1, b1)), w2, b2))), w3, b3)


def make_binary():
    w, b = weights(4, 2), weights(2)
    save("binary.onnx",
         [helper.make_node("MatMul", ["x", "w"], ["z"]),
          helper.make_node("Add", ["z", "b"], ["logits"]),
          helper.make_node("Softmax", ["logits"], ["probs"])],
         [init("w", w), init("b", b)],
         [tensor_info("x", ["N", 4])], [tensor_info("probs", ["N", 2])], 12)
    return (4,), lambda x: softmax(gemm(x, w, b))


def make_cnn():
    cw, cb = weights(2, 1, 3, 3, scale=0.5), weights(2)
    scale, bias, mean = weights(2), weights(2) - np.float32(2.5), weights(2)  # mostly negative
    var = (rng.uniform(0.5, 2.0, 2)).astype(np.float32)
    fw, fb = weights(3, 8), weights(3)
    eps = 1e-5
    save("cnn.onnx",
         [helper.make_node("Conv", ["x", "cw", "cb"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
          helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["bn"], epsilon=eps),
          helper.make_node("MaxPool", ["bn"], ["p"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
          helper.make_node("Flatten", ["p"], ["f"]),
          helper.make_node("Gemm", ["f", "fw", "fb"], ["logits"], transB=1)],
         [init(k, v) for k, v in dict(cw=cw, cb=cb, scale=scale, bias=bias, mean=mean, var=var,
                                       fw=fw, fb=fb).items()],
         [tensor_info("x", ["N", 1, 4, 4])], [tensor_info("logits", ["N", 3])], 10)

    def forward(x, pad_value=-np.inf):
        x = x.reshape(-1, 1, 4, 4)
        h = maxpool(batchnorm(conv2d(x, cw, cb, 1), scale, bias, mean, var, eps), 3, 2, 1, pad_value)
        return gemm(h.reshape(len(x), -1), fw, fb, trans_b=True)
    return (1, 4, 4), forward


def make_gap():
    cw, cb = weights(3, 1, 2, 2), weights(3)
    save("gap.onnx",
         [helper.make_node("Conv", ["x", "cw", "cb"], ["c"], kernel_shape=[2, 2]),
          helper.make_node("Sigmoid", ["c"], ["s"]),
          helper.make_node("GlobalAveragePool", ["s"], ["g"]),
          helper.make_node("Reshape", ["g", "shape"], ["r"]),
          helper.make_node("Softmax", ["r"], ["probs"], axis=1)],
         [init("cw", cw), init("cb", cb), init("shape", np.array([0, 3], dtype=np.int64))],
         [tensor_info("x", ["N", 1, 4, 4])], [tensor_info("probs", ["N", 3])], 13)

    def forward(x):
        x = x.reshape(-1, 1, 4, 4)
        return softmax(sigmoid(conv2d(x, cw, cb, 0)).mean(axis=(2, 3)))
    return (1, 4, 4), forward


def clear_winner(y):
    top = np.sort(y)[::-1]
    return top[0] - top[1] >= MIN_MARGIN


def reference_rows(shape, forward):
    """ROWS inputs whose top-1 output beats the runner-up by MIN_MARGIN."""
    inputs, outputs = [], []
    while len(inputs) < ROWS:
        x = rng.standard_normal(int(np.prod(shape))).astype(np.float32)
        y = forward(x.astype(np.float64)[None, :])[0]
        if not clear_winner(y):
            continue
        inputs.append([float(v) for v in x])
        outputs.append([float(v) for v in y])
    return {"inputs": inputs, "outputs": outputs,
            "argmax": [int(np.argmax(y)) for y in outputs]}


def ensemble_rows(names, forwards):
    """ROWS inputs on which every model has a clear winner, and the winners."""
    inputs, argmax = [], []
    while len(inputs) < ROWS:
        x = rng.standard_normal(4).astype(np.float32)
        ys = [f(x.astype(np.float64)[None, :])[0] for f in forwards]
        if not all(clear_winner(y) for y in ys):
            continue
        inputs.append([float(v) for v in x])
        argmax.append([int(np.argmax(y)) for y in ys])
    return {"models": names, "inputs": inputs, "argmax": argmax}


# ---- models that must be rejected at load time ----

def gemm_model(path, opset, nodes_after=(), out="logits", out_dims=("N", 3), extra_inits=(),
               x_dims=("N", 4), x_elem=TensorProto.FLOAT, gemm_inputs=("x", "w", "b"), extra_inputs=()):
    w, b = weights(4, 3), weights(3)
    """Gemm(x, w, b) -> "logits", then nodes_after; the graph output is out."""
    save(path,
         [helper.make_node("Gemm", list(gemm_inputs), ["logits"])] + list(nodes_after),
         [init("w", w), init("b", b)] + list(extra_inits),
         [tensor_info("x", list(x_dims), x_elem)] + list(extra_inputs),
         [tensor_info(out, list(out_dims))], opset)


def make_rejects():
    os.makedirs("reject", exist_ok=True)
    r = lambda name: os.path.join("reject", name)
    # Operators onnx-go v0.5.0 lacks or gets wrong.
    gemm_model(r("logsoftmax.onnx"), 13, [helper.make_node("LogSoftmax", ["logits"], ["y"])], out="y")
    gemm_model(r("concat.onnx"), 13, [helper.make_node("Concat", ["logits", "logits"], ["y"], axis=1)],
               out="y", out_dims=("N", 6))
    gemm_model(r("gemm_no_c.onnx"), 13, gemm_inputs=("x", "w"))
    gemm_model(r("softmax_axis0.onnx"), 11, [helper.make_node("Softmax", ["logits"], ["y"], axis=0)], out="y")
    gemm_model(r("softmax_3d.onnx"), 13,
               [helper.make_node("Reshape", ["logits", "shape3"], ["r"]),
                helper.make_node("Softmax", ["r"], ["s"], axis=1),
                helper.make_node("Reshape", ["s", "shape2"], ["y"])],
               out="y", extra_inits=[init("shape3", np.array([0, 3, 1], dtype=np.int64)),
                                     init("shape2", np.array([0, 3], dtype=np.int64))])
    gemm_model(r("gemm_shape.onnx"), 13, x_dims=("N", 5))  # x has 5 columns, w 4 rows
    # Opsets outside 9..13.
    gemm_model(r("opset8.onnx"), 8)
    gemm_model(r("opset14.onnx"), 14)
    # Interface shapes a classifier cannot have.
    gemm_model(r("output_3d.onnx"), 13, [helper.make_node("Reshape", ["logits", "shape"], ["y"])],
               out="y", out_dims=("N", 3, 1),
               extra_inits=[init("shape", np.array([0, 3, 1], dtype=np.int64))])
    gemm_model(r("input_dynamic.onnx"), 13, x_dims=("N", "D"))
    gemm_model(r("input_double.onnx"), 13, x_elem=TensorProto.DOUBLE)
    gemm_model(r("two_inputs.onnx"), 13, [helper.make_node("Add", ["logits", "z"], ["y"])], out="y",
               extra_inputs=[tensor_info("z", ["N", 3])])
    # Conv attributes onnx-go v0.5.0 ignores or misreads.
    for name, attrs in [("conv_group.onnx", dict(group=2)),
                        ("conv_asym_pads.onnx", dict(pads=[0, 0, 1, 1]))]:
        cin = 2
        save(r(name),
             [helper.make_node("Conv", ["x", "cw"], ["c"], kernel_shape=[2, 2], **attrs),
              helper.make_node("Flatten", ["c"], ["y"])],
             [init("cw", weights(2, cin // attrs.get("group", 1), 2, 2))],
             [tensor_info("x", ["N", cin, 3, 3])], [tensor_info("y", ["N", 8 if "pads" not in attrs else 18])], 11)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    os.chdir(here)
    ref, forwards = {}, {}
    for name, make in [("linear.onnx", make_linear), ("mlp.onnx", make_mlp), ("deep.onnx", make_deep),
                       ("binary.onnx", make_binary),
                       ("cnn.onnx", make_cnn), ("gap.onnx", make_gap),
                       ("legacy.onnx", lambda: make_mlp("legacy.onnx", 9, legacy=True))]:
        shape, forward = make()
        forwards[name] = forward
        ref[name] = reference_rows(shape, forward)
        if name == "cnn.onnx":  # the reference must tell -inf from zero padding in MaxPool
            zero_pad = forward(np.array(ref[name]["inputs"]), pad_value=0.0)
            assert np.abs(zero_pad - np.array(ref[name]["outputs"])).max(axis=1).min() > 1e-3
    members = ["linear.onnx", "mlp.onnx", "deep.onnx"]
    ens = ensemble_rows(members, [forwards[m] for m in members])
    make_rejects()
    for path, obj in [("reference.json", ref), ("ensemble.json", ens)]:
        with open(path, "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
