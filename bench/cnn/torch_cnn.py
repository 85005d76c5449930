"""PyTorch side of bench/cnn: the paper's reference MNIST CNN and training loop.

Imports the reference code from --ref (it is not copied into this repository) and runs,
on MNIST 1-vs-0 read from the GoMNIST IDX files (--mnist), either
  train: train_model (Adam, lr 1e-3, batch 128, shuffled DataLoader over the
         reference's SmoothedDataset) for --epochs epochs, then eval_model on the
         2,115 test rows; or
  votes: --members members trained for --member-epochs epochs each and saved as the
         reference's train.py saves them, then the reference's certificate_over_dataset
         (its eval.py loop: load each member, hash it, fix its test-time noise, predict
         the 1,135 triggered non-target test rows in batches of 128), timed.
Prints one JSON object on stdout.
"""
import argparse
import gzip
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], 'big')
    dims = magic & 0xff
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def binary_mnist(mnist, train):
    """Rows labelled 1 (class 1) or 0 (class 0), as the reference's BinaryDataset(1, 0)."""
    prefix = 'train' if train else 't10k'
    X = read_idx(os.path.join(mnist, prefix + '-images-idx3-ubyte.gz'))
    y = read_idx(os.path.join(mnist, prefix + '-labels-idx1-ubyte.gz'))
    keep = (y == 0) | (y == 1)
    X = torch.from_numpy(X[keep].astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy((y[keep] == 1).astype(np.int64))
    return X, y


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--ref', required=True, help='directory of the reference code')
    p.add_argument('--mnist', required=True, help='directory of the four MNIST IDX .gz files')
    p.add_argument('--mode', choices=['train', 'votes'], default='train')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--sigma', type=float, default=0.0)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--members', type=int, default=20)
    p.add_argument('--member-epochs', type=int, default=1)
    p.add_argument('--seed', type=int, default=1)
    args = p.parse_args()

    sys.path.insert(0, args.ref)
    from mnist_cnn_model import Model
    from utils import SmoothedDataset, train_model, eval_model, certificate_over_dataset

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    Xtr, ytr = binary_mnist(args.mnist, True)
    Xte, yte = binary_mnist(args.mnist, False)
    trainset = torch.utils.data.TensorDataset(Xtr, ytr)
    testset = torch.utils.data.TensorDataset(Xte, yte)
    testloader = torch.utils.data.DataLoader(testset, batch_size=128)

    def fit(epochs):
        model = Model(gpu=False)
        loader = torch.utils.data.DataLoader(SmoothedDataset(trainset, args.sigma), batch_size=128, shuffle=True)
        t0 = time.perf_counter()
        train_model(model, loader, lr=1e-3, epoch_num=epochs, verbose=False)
        return model, time.perf_counter() - t0

    out = {'peer': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
           'train_rows': len(trainset), 'test_rows': len(testset)}
    if args.mode == 'train':
        model, secs = fit(args.epochs)
        out.update(mode='train', epochs=args.epochs, seconds=secs, seconds_per_epoch=secs / args.epochs,
                   accuracy=eval_model(model, testloader))
    else:
        # The reference evaluates the triggered test rows of the non-target class (label 1);
        # the trigger does not change the cost, so the clean rows are used.
        ones = yte == 1
        poisonloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xte[ones], yte[ones]), batch_size=128)
        with tempfile.TemporaryDirectory() as prefix:
            accs = []
            for k in range(args.members):
                model, _ = fit(args.member_epochs)
                accs.append(eval_model(model, testloader))
                torch.save(model.state_dict(), prefix + '/smoothed_%d.model' % k)
            model = Model(gpu=False)
            model.eval()
            t0 = time.perf_counter()
            _, _, is_acc = certificate_over_dataset(model, poisonloader, prefix, args.members, args.sigma)
            secs = time.perf_counter() - t0
        votes = args.members * int(ones.sum())
        out.update(mode='votes', members=args.members, inputs=int(ones.sum()), seconds=secs,
                   votes_per_second=votes / secs, member_accuracy=float(np.mean(accs)),
                   smoothed_accuracy=float(np.mean(is_acc)))
    print(json.dumps(out))


if __name__ == '__main__':
    main()
