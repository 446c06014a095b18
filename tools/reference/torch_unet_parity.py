#!/usr/bin/python3
"""PyTorch reference for libs/models: the paper's 3D UNet, GroupNorm, trilinear x2 upsampling
and the per-patch losses. Writes small fixtures that libs/models tests compare against (tests
need no Python). Run with Debian's python3-torch:

    /usr/bin/python3 tools/reference/torch_unet_parity.py

Output: tools/reference/fixtures/models/{unet_parity,ops_parity}.{json,bin}. Every array is
float32 little-endian in one .bin; the .json gives name -> {offset (floats), shape}. Arrays
are stored in tfjs's layouts: activations [N, z, y, x, C], conv kernels [kd, kh, kw, in, out].
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures', 'models')


def groups_for(channels, requested):
    for g in range(min(requested, channels), 0, -1):
        if channels % g == 0:
            return g
    return 1


class Block(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        g = groups_for(cout, groups)
        self.conv0 = nn.Conv3d(cin, cout, 3, padding=1)
        self.norm0 = nn.GroupNorm(g, cout, eps=1e-5)
        self.conv1 = nn.Conv3d(cout, cout, 3, padding=1)
        self.norm1 = nn.GroupNorm(g, cout, eps=1e-5)

    def forward(self, x):
        x = F.relu(self.norm0(self.conv0(x)))
        return F.relu(self.norm1(self.conv1(x)))


class UNet(nn.Module):
    """Same structure and parameter names as libs/models/src/unet (decoder concat is [skip, up])."""

    def __init__(self, widths=(16, 32, 64), groups=8, in_channels=2):
        super().__init__()
        self.widths = list(widths)
        self.enc = nn.ModuleList()
        for i, w in enumerate(widths):
            self.enc.append(Block(in_channels if i == 0 else widths[i - 1], w, groups))
        self.dec = nn.ModuleDict()
        for i in range(len(widths) - 2, -1, -1):
            self.dec[f'dec{i}'] = Block(widths[i + 1] + widths[i], widths[i], groups)
        self.head = nn.Conv3d(widths[0], 1, 1)

    def forward(self, x):
        skips = []
        for i, b in enumerate(self.enc):
            if i > 0:
                x = F.max_pool3d(x, 2)
            x = b(x)
            skips.append(x)
        for i in range(len(self.widths) - 2, -1, -1):
            up = F.interpolate(x, scale_factor=2, mode='trilinear', align_corners=False)
            x = self.dec[f'dec{i}'](torch.cat([skips[i], up], 1))
        return self.head(x)

    def named_tfjs_params(self):
        """(tfjs name, torch parameter) in libs/models' paramSpecs order."""
        out = []
        blocks = [(f'enc{i}', b) for i, b in enumerate(self.enc)]
        blocks += [(k, self.dec[k]) for k in self.dec.keys()]
        for name, b in blocks:
            for j in (0, 1):
                conv, norm = getattr(b, f'conv{j}'), getattr(b, f'norm{j}')
                out += [(f'{name}/conv{j}/kernel', conv.weight), (f'{name}/conv{j}/bias', conv.bias),
                        (f'{name}/norm{j}/gamma', norm.weight), (f'{name}/norm{j}/beta', norm.bias)]
        out += [('head/kernel', self.head.weight), ('head/bias', self.head.bias)]
        return out


def kernel_to_tfjs(w):
    return w.detach().permute(2, 3, 4, 1, 0).contiguous()


def act_to_tfjs(x):
    return x.detach().permute(0, 2, 3, 4, 1).contiguous()


def bce_per_patch(logits, mask):
    l = F.binary_cross_entropy_with_logits(logits, mask, reduction='none')
    return l.flatten(1).mean(1)


def dice_per_patch(logits, mask, smooth=1.0):
    p = torch.sigmoid(logits).flatten(1)
    m = mask.flatten(1)
    return 1 - (2 * (p * m).sum(1) + smooth) / (p.sum(1) + m.sum(1) + smooth)


class Writer:
    def __init__(self):
        self.arrays = []
        self.index = {}
        self.offset = 0

    def add(self, name, t):
        t = t.detach().to(torch.float32).contiguous()
        self.index[name] = {'offset': self.offset, 'shape': list(t.shape)}
        self.arrays.append(t.flatten())
        self.offset += t.numel()

    def write(self, stem, meta):
        os.makedirs(OUT, exist_ok=True)
        data = torch.cat(self.arrays).numpy().astype('<f4')
        with open(os.path.join(OUT, stem + '.bin'), 'wb') as f:
            f.write(data.tobytes())
        meta = dict(meta, arrays=self.index, torch=torch.__version__)
        with open(os.path.join(OUT, stem + '.json'), 'w') as f:
            json.dump(meta, f, indent=1)
            f.write('\n')
        print(f'wrote {stem}: {self.offset} floats')


def unet_fixture():
    torch.manual_seed(1234)
    widths, groups, n, side = [4, 8, 16], 8, 2, 16
    model = UNet(widths, groups).double()  # float64 reference: differences are then tfjs's float32 error only
    x = torch.randn(n, 2, side, side, side, dtype=torch.float64)
    # a sparse "lesion" mask: a blob in patch 0, empty patch 1
    mask = torch.zeros(n, 1, side, side, side, dtype=torch.float64)
    mask[0, 0, 5:9, 6:11, 4:8] = 1
    logits = model(x)
    bce = bce_per_patch(logits, mask)
    dice = dice_per_patch(logits, mask)
    loss = bce.mean()
    loss.backward()
    w = Writer()
    w.add('input', act_to_tfjs(x))
    w.add('mask', act_to_tfjs(mask))
    w.add('logits', act_to_tfjs(logits))
    w.add('bce', bce)
    w.add('dice', dice)
    names = []
    for name, p in model.named_tfjs_params():
        names.append(name)
        conv = p.dim() == 5
        w.add('param:' + name, kernel_to_tfjs(p) if conv else p.detach())
        w.add('grad:' + name, kernel_to_tfjs(p.grad) if conv else p.grad)
    w.write('unet_parity', {
        'widths': widths, 'groups': groups, 'batch': n, 'patch': [side] * 3,
        'loss': loss.item(), 'params': names,
        'note': 'loss = mean over patches of per-patch mean BCE-with-logits; grads of that loss',
    })


def ops_fixture():
    torch.manual_seed(99)
    w = Writer()
    # trilinear x2, odd sizes on every axis, NCDHW [2, 3, 3, 4, 5]
    x = torch.randn(2, 3, 3, 4, 5, dtype=torch.float64, requires_grad=True)
    y = F.interpolate(x, scale_factor=2, mode='trilinear', align_corners=False)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    w.add('up:x', act_to_tfjs(x))
    w.add('up:y', act_to_tfjs(y))
    w.add('up:g', act_to_tfjs(g))
    w.add('up:dx', act_to_tfjs(x.grad))
    # GroupNorm: 6 channels in 3 groups, with affine
    xn = (torch.randn(2, 6, 3, 4, 5, dtype=torch.float64) * 3 + 1).requires_grad_(True)
    gn = nn.GroupNorm(3, 6, eps=1e-5).double()
    with torch.no_grad():
        gn.weight.copy_(torch.randn(6))
        gn.bias.copy_(torch.randn(6))
    yn = gn(xn)
    gy = torch.randn_like(yn)
    (yn * gy).sum().backward()
    w.add('gn:x', act_to_tfjs(xn))
    w.add('gn:gamma', gn.weight)
    w.add('gn:beta', gn.bias)
    w.add('gn:y', act_to_tfjs(yn))
    w.add('gn:g', act_to_tfjs(gy))
    w.add('gn:dx', act_to_tfjs(xn.grad))
    w.add('gn:dgamma', gn.weight.grad)
    w.add('gn:dbeta', gn.bias.grad)
    w.write('ops_parity', {'groups': 3, 'eps': 1e-5})


if __name__ == '__main__':
    unet_fixture()
    ops_fixture()
