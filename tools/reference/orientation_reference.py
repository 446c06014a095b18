#!/usr/bin/python3
"""nibabel's closest-canonical orientation of random affines (permuted, flipped, rotated up to
40 degrees, anisotropic zooms), and the voxel data after `as_closest_canonical`.

Run:  /usr/bin/python3 tools/reference/orientation_reference.py
Out:  tools/reference/fixtures/report/orientation.json

libs/report/test/orientation-reference.test.ts checks closestCanonical, axisCodes and
toCanonical against these, so the tests need no Python.
"""
import itertools
import json
import os

import nibabel as nib
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'report', 'orientation.json')
rng = np.random.default_rng(20261201)
SHAPE = (4, 3, 5)


def rotation(angles):
    ax, ay, az = angles
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


cases = []
perms = list(itertools.permutations(range(3)))
for k in range(24):
    perm = perms[k % 6]
    signs = rng.choice([-1.0, 1.0], size=3)
    zooms = rng.uniform(0.5, 2.5, size=3)
    # at most 40 degrees in total, so the closest axis is unambiguous
    angles = rng.uniform(-1, 1, size=3) * np.deg2rad(40) / np.sqrt(3) if k >= 6 else np.zeros(3)
    P = np.zeros((3, 3))
    for j in range(3):
        P[perm[j], j] = signs[j]
    m = rotation(angles) @ P @ np.diag(zooms)
    aff = np.eye(4)
    aff[:3, :3] = m
    aff[:3, 3] = rng.uniform(-50, 50, size=3)
    data = np.arange(np.prod(SHAPE), dtype=np.float32).reshape(SHAPE, order='F')
    img = nib.Nifti1Image(data, aff)
    canon = nib.as_closest_canonical(img)
    cases.append({
        'affine': aff.tolist(),
        'axcodes': ''.join(nib.aff2axcodes(aff)),
        'ornt': nib.orientations.io_orientation(aff).tolist(),
        'canonicalShape': list(canon.shape),
        # x fastest, as our volumes store voxels
        'canonicalData': np.asarray(canon.dataobj).flatten(order='F').tolist(),
    })

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'nibabel': nib.__version__, 'shape': list(SHAPE), 'cases': cases}, f)
    f.write('\n')
print(f'wrote {len(cases)} cases to {OUT}')
