#!/usr/bin/python3
"""Trilinear resampling references from PyTorch (Debian python3-torch), for libs/data's resampler.

Our working-grid convention is torch's `interpolate(mode='trilinear', align_corners=False)` with
an exact scale factor (recompute_scale_factor=False): output voxel i samples input coordinate
(i + 0.5) / scale - 0.5, clamped to the volume. Each case stores the input, the per-axis
scale (x, y, z) and torch's output, flattened x fastest.

Run: /usr/bin/python3 tools/reference/nifti_resample_reference.py
Out: tools/reference/fixtures/nifti/resample.json
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'nifti', 'resample.json')
rng = np.random.default_rng(7)
cases = []
# (input shape x, y, z), (scale x, y, z): 2x up (1 mm -> 0.5 mm), 2.5x up, 2x down, anisotropic mix.
for shape, scale in [((6, 5, 4), (2.0, 2.0, 2.0)), ((6, 4, 4), (2.5, 2.5, 2.5)), ((8, 6, 4), (0.5, 0.5, 0.5)),
                     ((5, 4, 3), (2.0, 2.5, 4.0))]:
    vol = rng.normal(size=shape[::-1]).astype(np.float32)  # numpy (z, y, x): x fastest in C order
    t = torch.from_numpy(vol)[None, None]
    out = F.interpolate(t, scale_factor=scale[::-1], mode='trilinear', align_corners=False,
                        recompute_scale_factor=False)[0, 0].numpy()
    cases.append({'shape': list(shape), 'scale': list(scale), 'out_shape': list(out.shape[::-1]),
                  'input': vol.ravel().tolist(), 'output': out.ravel().tolist()})
with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/reference/nifti_resample_reference.py', 'torch': torch.__version__, 'cases': cases}, f)
print(f'wrote {len(cases)} cases to {OUT}')
