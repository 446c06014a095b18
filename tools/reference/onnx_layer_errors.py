#!/usr/bin/python3
"""Where the exported ONNX UNet (evaluator:export) and our forward pass part from the exact
answer, layer by layer: PyTorch in float64 (torch_unet_parity.py's UNet) is the reference;
ONNX Runtime's every Conv / GroupNorm (its normalised Div) / Relu / MaxPool / Resize output and
both final logits are compared with it. Manual diagnosis tool: no fixture (the vitest suite
checks the result, libs/models/src/export/unet-onnx.test.ts).

Run:  /usr/bin/python3 tools/reference/onnx_layer_errors.py [--side 32] [--widths 16,32,64]
Out:  one line per layer: max |ORT - float64|, also relative to the layer's max |value|; then
      ours vs float64, ORT vs float64 and ORT vs ours on the logits.

It found that a single ReduceMean over a GroupNorm group (65k values on a 32^3 window) is summed
sequentially in float32 by ONNX Runtime (3e-5 off after the first GroupNorm, where its Conv was
1.3e-6 off); unet-onnx.ts therefore reduces one axis at a time.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from torch_unet_parity import UNet  # noqa: E402

EXPOSED = {'Conv', 'Div', 'Relu', 'MaxPool', 'Resize'}


def node(dir, *args):
    subprocess.run(['npx', 'tsx', os.path.join(HERE, 'onnx_layer_dump.ts'), dir, *args], cwd=ROOT, check=True)


def floats(path):
    return np.fromfile(path, dtype='<f4')


def torch_layers(net, x):
    """Float64 outputs in the exported graph's node order (see EXPOSED), then the logits."""
    out = []

    def normalised(y, norm):
        v = y.reshape(y.shape[0], norm.num_groups, -1)
        c = v - v.mean(2, keepdim=True)
        return (c / torch.sqrt((c * c).mean(2, keepdim=True) + norm.eps)).reshape(y.shape)

    def block(h, b):
        for j in (0, 1):
            conv, norm = getattr(b, f'conv{j}'), getattr(b, f'norm{j}')
            y = conv(h)
            h = F.relu(norm(y))
            out.extend([y, normalised(y, norm), h])
        return h

    skips, h = [], x
    for i, b in enumerate(net.enc):
        if i > 0:
            h = F.max_pool3d(h, 2)
            out.append(h)
        h = block(h, b)
        skips.append(h)
    for i in range(len(net.widths) - 2, -1, -1):
        h = F.interpolate(h, scale_factor=2, mode='trilinear', align_corners=False)
        out.append(h)
        h = block(torch.cat([skips[i], h], 1), net.dec[f'dec{i}'])
    return out, net.head(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--side', default='32')
    ap.add_argument('--widths', default='16,32,64')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        node(d, '--side', a.side, '--widths', a.widths)
        model = onnx.load(os.path.join(d, 'model.onnx'))
        for n in model.graph.node:
            if n.op_type in EXPOSED and n.output[0] != 'logits':
                model.graph.output.append(helper.make_tensor_value_info(n.output[0], TensorProto.FLOAT, None))
        onnx.save(model, os.path.join(d, 'model_all.onnx'))
        node(d, '--side', a.side, '--widths', a.widths, '--ort', os.path.join(d, 'model_all.onnx'))
        meta = json.load(open(os.path.join(d, 'meta.json')))
        weights, at = floats(os.path.join(d, 'weights.bin')), 0
        params = {}
        for name, size in zip(meta['names'], meta['sizes']):
            params[name], at = weights[at:at + size], at + size
        ort, at = {}, 0
        ort_all = floats(os.path.join(d, 'ort.bin'))
        for o in json.load(open(os.path.join(d, 'ort.json'))):
            size = int(np.prod(o['dims']))
            ort[o['name']], at = ort_all[at:at + size], at + size
        side = meta['side']
        x = torch.from_numpy(floats(os.path.join(d, 'input.bin')).astype(np.float64)).reshape(1, side, side, side, 2).permute(0, 4, 1, 2, 3)
        ours = floats(os.path.join(d, 'ours.bin'))  # [1, z, y, x, 1] = [1, 1, z, y, x]
    net = UNet(meta['widths'], 8).double()
    with torch.no_grad():
        for name, t in net.named_tfjs_params():
            v = torch.from_numpy(params[name].astype(np.float64))
            if t.dim() == 5:  # tfjs [kd, kh, kw, in, out] -> torch [out, in, kd, kh, kw]
                v = v.reshape(*t.shape[2:], t.shape[1], t.shape[0]).permute(4, 3, 0, 1, 2)
            t.copy_(v.reshape(t.shape))
        layers, logits = torch_layers(net, x)
    names = [n for n in ort if n != 'logits']
    assert len(names) == len(layers), f'{len(names)} exposed ONNX outputs, {len(layers)} PyTorch layers'
    for name, ref in zip(names + ['logits'], layers + [logits]):
        r = ref.numpy().reshape(-1)
        err = np.abs(ort[name] - r).max()
        print(f'{name:12s} {str(list(ref.shape)):22s} max|ORT-f64| {err:.2e}  relative {err / np.abs(r).max():.2e}')
    r = logits.numpy().reshape(-1)
    print(f'logits: max|ours-f64| {np.abs(ours - r).max():.2e}  max|ORT-f64| {np.abs(ort["logits"] - r).max():.2e}  '
          f'max|ORT-ours| {np.abs(ort["logits"] - ours).max():.2e}')


if __name__ == '__main__':
    main()
