"""Interleaved comparison of rab's ensemble/cnn with the paper's PyTorch reference code.

Usage, from the repository root (see README.md):
    /usr/bin/python3 bench/cnn/compare.py --ref /work/shared/peers/rab-reference

It builds bench/cnn (the rab side), then for --repeats rounds runs the PyTorch side
(torch_cnn.py) and the rab side one after the other, alternating which goes first, on
the same data: --epochs epochs of training (MNIST 1-vs-0, batch 128, Adam 1e-3, the
reference model), then VotesBatch against the reference eval loop on --members members.
It prints every run and the medians with the ratios as JSON lines, then a summary.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def gomnist_dir():
    cache = subprocess.run(['go', 'env', 'GOMODCACHE'], capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(cache, 'github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data')


def run(cmd):
    t0 = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('%s failed:\n%s' % (' '.join(cmd), out.stderr))
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result['wall'] = time.time() - t0
    result['load'] = os.getloadavg()[0]
    print(json.dumps(result), flush=True)
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--ref', required=True, help='directory of the reference code (not copied into rab)')
    p.add_argument('--mnist', default=None, help='directory of the MNIST IDX .gz files (default: the GoMNIST module)')
    p.add_argument('--epochs', type=int, default=20)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--members', type=int, default=20)
    p.add_argument('--member-epochs', type=int, default=1)
    p.add_argument('--skip', choices=['train', 'votes'], default=None)
    args = p.parse_args()
    mnist = args.mnist or gomnist_dir()
    binary = os.path.join(tempfile.mkdtemp(), 'cnnbench')
    subprocess.run(['go', 'build', '-o', binary, './bench/cnn'], cwd=ROOT, check=True)
    torch = ['/usr/bin/python3', os.path.join(HERE, 'torch_cnn.py'), '--ref', args.ref, '--mnist', mnist,
             '--threads', str(args.threads)]
    rab = [binary, '-mnist', mnist, '-threads', str(args.threads)]
    modes = {
        'train': (['--mode', 'train', '--epochs', str(args.epochs)],
                  ['-mode', 'train', '-epochs', str(args.epochs)]),
        'votes': (['--mode', 'votes', '--members', str(args.members), '--member-epochs', str(args.member_epochs), '--sigma', '0.5'],
                  ['-mode', 'votes', '-members', str(args.members), '-member-epochs', str(args.member_epochs), '-sigma', '0.5']),
    }
    print('# %s, load average %.2f, %d threads' % (time.strftime('%Y-%m-%d %H:%M'), os.getloadavg()[0], args.threads), flush=True)
    summary = []
    for mode, (targs, rargs) in modes.items():
        if mode == args.skip:
            continue
        peer, ours = [], []
        for r in range(args.repeats):
            pair = [(peer, torch + targs), (ours, rab + rargs)]
            if r % 2:
                pair.reverse()
            for sink, cmd in pair:
                sink.append(run(cmd))
        if mode == 'train':
            pt = statistics.median(x['seconds_per_epoch'] for x in peer)
            rt = statistics.median(x['seconds_per_epoch'] for x in ours)
            summary.append({'what': 'training s/epoch', 'pytorch': pt, 'rab': rt, 'rab speed / pytorch speed': pt / rt,
                            'pytorch runs': [round(x['seconds_per_epoch'], 3) for x in peer],
                            'rab runs': [round(x['seconds_per_epoch'], 3) for x in ours],
                            'ratio per pair': [round(a['seconds_per_epoch'] / b['seconds_per_epoch'], 2) for a, b in zip(peer, ours)],
                            'load': [round(x['load'], 1) for x in peer + ours],
                            'accuracy pytorch': statistics.median(x['accuracy'] for x in peer),
                            'accuracy rab': statistics.median(x['accuracy'] for x in ours)})
        else:
            pv = statistics.median(x['votes_per_second'] for x in peer)
            rv = statistics.median(x['votes_per_second'] for x in ours)
            summary.append({'what': 'votes/s', 'pytorch': pv, 'rab': rv, 'rab / pytorch': rv / pv,
                            'pytorch runs': [round(x['votes_per_second']) for x in peer],
                            'rab runs': [round(x['votes_per_second']) for x in ours],
                            'ratio per pair': [round(b['votes_per_second'] / a['votes_per_second'], 2) for a, b in zip(peer, ours)],
                            'load': [round(x['load'], 1) for x in peer + ours],
                            'member accuracy pytorch': statistics.median(x['member_accuracy'] for x in peer),
                            'member accuracy rab': statistics.median(x['member_accuracy'] for x in ours),
                            'smoothed accuracy pytorch': statistics.median(x['smoothed_accuracy'] for x in peer),
                            'smoothed accuracy rab': statistics.median(x['smoothed_accuracy'] for x in ours)})
    print('# medians of %d interleaved runs, load average now %.2f' % (args.repeats, os.getloadavg()[0]))
    for s in summary:
        print(json.dumps(s))


if __name__ == '__main__':
    main()
