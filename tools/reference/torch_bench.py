#!/usr/bin/python3
"""PyTorch twin of tools/bench/models-bench.ts: the same workloads on the same network
(tools/reference/torch_unet_parity.py's UNet), timed the same way (median of reps after one
warm-up). Prints one JSON object per workload on stdout. With --device cuda it is also the GPU
twin of tools/bench/webgpu-bench.ts (fp32, TF32 off, timings synchronised with the device).

    /usr/bin/python3 tools/reference/torch_bench.py --workloads conv,W1,W2,W3 --threads 2
    python3 tools/reference/torch_bench.py --device cuda --workloads W1,W2,W3 --window-batch 64
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_unet_parity import UNet  # noqa: E402


def conv_flops_per_voxel(widths, cin=2):
    """Forward conv FLOPs per input voxel of the UNet (2 * k^3 * Ci * Co per output voxel, scaled by level)."""
    total = 0.0
    scale = 1.0
    for i, w in enumerate(widths):
        c0 = cin if i == 0 else widths[i - 1]
        total += scale * 2 * 27 * (c0 * w + w * w)
        if i < len(widths) - 1:
            scale /= 8
    scale = 1.0 / 8 ** (len(widths) - 1)
    for i in range(len(widths) - 2, -1, -1):
        scale *= 8
        total += scale * 2 * 27 * ((widths[i + 1] + widths[i]) * widths[i] + widths[i] * widths[i])
    total += 2 * widths[0]
    return total


SYNC = lambda: None  # noqa: E731 (replaced by torch.cuda.synchronize on a GPU)


def timed(fn, reps):
    fn()  # warm-up
    SYNC()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        SYNC()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), ts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--workloads', default='conv,W1,W2,W3')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--w3-reps', type=int, default=None, help='repeats of W3 (default reps - 2, at least 1)')
    ap.add_argument('--widths', default='16,32,64')
    ap.add_argument('--patch', type=int, default=32)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--volume', default='160,192,160')
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    ap.add_argument('--window-batch', type=int, default=8, help='W3 windows per forward pass')
    args = ap.parse_args()
    global SYNC
    dev = torch.device(args.device)
    if dev.type == 'cuda':
        # fp32 as on WebGPU: no TF32 tensor-core shortcuts
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
        SYNC = torch.cuda.synchronize
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    widths = [int(w) for w in args.widths.split(',')]
    p = args.patch
    fpv = conv_flops_per_voxel(widths)
    model = UNet(widths, 8).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    out = []
    for w in args.workloads.split(','):
        if w == 'conv':
            x = torch.randn(4, 16, p, p, p, device=dev)
            k = torch.randn(16, 16, 3, 3, 3, device=dev)
            flops = 2 * 4 * p ** 3 * 27 * 16 * 16
            with torch.no_grad():
                med, ts = timed(lambda: F.conv3d(x, k, padding=1), args.reps)
            out.append({'workload': 'conv', 'seconds': med, 'gflops': flops / med / 1e9, 'times': ts})
        elif w == 'W1':
            x = torch.randn(args.batch, 2, p, p, p, device=dev)
            y = (torch.rand(args.batch, 1, p, p, p, device=dev) > 0.99).float()

            def step():
                opt.zero_grad()
                loss = F.binary_cross_entropy_with_logits(model(x), y, reduction='none').flatten(1).mean(1).mean()
                loss.backward()
                opt.step()
            med, ts = timed(step, args.reps)
            flops = 3 * fpv * args.batch * p ** 3
            out.append({'workload': 'W1', 'seconds': med, 'gflops': flops / med / 1e9, 'times': ts})
        elif w == 'W2':
            ema = copy.deepcopy(model)
            n = 4 * args.batch
            x = torch.randn(n, 2, p, p, p, device=dev)
            y = (torch.rand(n, 1, p, p, p, device=dev) > 0.99).float()

            def ohem():
                with torch.no_grad():
                    scores = torch.cat([
                        F.binary_cross_entropy_with_logits(ema(x[i:i + 32]), y[i:i + 32], reduction='none').flatten(1).mean(1)
                        for i in range(0, n, 32)])
                top = torch.topk(scores, args.batch).indices
                opt.zero_grad()
                loss = F.binary_cross_entropy_with_logits(model(x[top]), y[top], reduction='none').flatten(1).mean(1).mean()
                loss.backward()
                opt.step()
                with torch.no_grad():
                    for pe, pm in zip(ema.parameters(), model.parameters()):
                        pe.mul_(0.99).add_(pm, alpha=0.01)
            med, ts = timed(ohem, args.reps)
            flops = fpv * p ** 3 * (n + 3 * args.batch)
            out.append({'workload': 'W2', 'seconds': med, 'gflops': flops / med / 1e9, 'times': ts})
        elif w == 'W3':
            X, Y, Z = [int(v) for v in args.volume.split(',')]
            vol = torch.randn(1, 2, Z, Y, X, device=dev)
            wb = args.window_batch

            def starts(size):
                s = list(range(0, max(size - 32, 0), 24))
                if not s or s[-1] != size - 32:
                    s.append(max(size - 32, 0))
                return s

            def infer():
                acc = torch.zeros(Z, Y, X, device=dev)
                cnt = torch.zeros(Z, Y, X, device=dev)
                wins = [(z, yy, xx) for z in starts(Z) for yy in starts(Y) for xx in starts(X)]
                with torch.no_grad():
                    for i in range(0, len(wins), wb):
                        b = wins[i:i + wb]
                        batch = torch.stack([vol[0, :, z:z + 32, yy:yy + 32, xx:xx + 32] for z, yy, xx in b])
                        pr = torch.sigmoid(model(batch))
                        for k, (z, yy, xx) in enumerate(b):
                            acc[z:z + 32, yy:yy + 32, xx:xx + 32] += pr[k, 0]
                            cnt[z:z + 32, yy:yy + 32, xx:xx + 32] += 1
                return acc / cnt, len(wins)
            nwin = infer()[1]
            med, ts = timed(lambda: infer(), args.w3_reps if args.w3_reps is not None else max(1, args.reps - 2))
            flops = fpv * 32 ** 3 * nwin
            out.append({'workload': 'W3', 'seconds': med, 'gflops': flops / med / 1e9, 'windows': nwin, 'times': ts})
    for o in out:
        o.update({'engine': f'pytorch {torch.__version__}', 'threads': args.threads, 'device': torch.cuda.get_device_name() if dev.type == 'cuda' else 'cpu'})
        print(json.dumps(o))


if __name__ == '__main__':
    main()
