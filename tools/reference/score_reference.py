#!/usr/bin/python3
"""Independent reference for libs/metrics: the MSSEG-2 (Anima) per-patient metrics written from
docs/msseg2-evaluation.md with scipy.ndimage.label and numpy counting (Debian python3-scipy).

Run:  /usr/bin/python3 tools/reference/score_reference.py
Out:  tools/reference/fixtures/metrics/random_cases.json

Each case is a random pair of small masks (blobs, shifted/dilated/eroded copies, speckle,
empty masks) on a random grid with random, often anisotropic, spacing and sometimes
non-default parameters. The vitest suite of libs/metrics scores the same masks and must agree:
counts exactly, scores and volumes within 1e-12, per-lesion sizes, centroids and match flags.
Cases are limited to <= 16 lesions per mask, where std::sort is stable (spec section 6), so this
reference can use Python's stable sort; the > 16 tie order is covered by the spec's vectors.
"""
import json
import math
import os

import numpy as np
from scipy import ndimage

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'metrics', 'random_cases.json')
SIX = ndimage.generate_binary_structure(3, 1)  # face connectivity


def lesions(mask, min_vox):
    """Kept components relabelled 1..n by decreasing size, ties by raster (x fastest) first voxel."""
    # scipy labels in C order of the array; we hold arrays as [z, y, x] so C order is x fastest.
    lab, n = ndimage.label(mask, structure=SIX)
    sizes = np.bincount(lab.ravel(), minlength=n + 1)
    flat = lab.ravel()
    first = np.full(n + 1, np.iinfo(np.int64).max)
    idx = np.nonzero(flat)[0]
    np.minimum.at(first, flat[idx], idx)
    kept = [c for c in range(1, n + 1) if sizes[c] >= min_vox]
    kept.sort(key=lambda c: (-sizes[c], first[c]))
    relabel = np.zeros(n + 1, dtype=np.int64)
    for k, c in enumerate(kept):
        relabel[c] = k + 1
    return relabel[lab], len(kept), n - len(kept)


def walk(i, size, cov, row, n_other, outside, p):
    """Anima's detection test for one lesion; row = overlaps with labels 1..n_other."""
    frac = cov / size
    if not frac > p['alpha']:
        return False, []
    order = sorted(range(1, n_other + 1), key=lambda j: -row[j])  # stable: ties by label
    acc = 0.0
    examined = []
    for j in order:
        if acc >= p['coverage']:
            break
        examined.append(j)
        if outside[j] > p['maxOutside']:
            return False, examined
        acc += row[j] / cov
    return True, examined


def score(gt, pred, spacing, p, details=True):
    gt_empty = not gt.any()
    v = (spacing[0] * spacing[1]) * spacing[2]
    min_vox = math.floor(p['minLesionMm3'] / v) + 1
    R, nR, dR = lesions(gt, min_vox)
    T, nT, dT = lesions(pred, min_vox)
    M = np.bincount((R * (nT + 1) + T).ravel(), minlength=(nR + 1) * (nT + 1)).reshape(nR + 1, nT + 1)
    size_R = M.sum(axis=1)
    size_T = M.sum(axis=0)
    out = {'gtEmpty': bool(gt_empty), 'nGtLesions': nR, 'nPredLesions': nT, 'minLesionVoxels': min_vox,
           'predLesionVolumeMm3': float(size_T[1:].sum()) * v, 'gtSmallComponents': dR, 'predSmallComponents': dT}

    def geo(L, n):
        if not details:  # per-lesion centroids: one pass per lesion, skipped by the benchmark
            return [{} for _ in range(n)]
        res = []
        for l in range(1, n + 1):
            zz, yy, xx = np.nonzero(L == l)
            res.append({'voxels': int(len(xx)), 'centroidVoxel': [float(xx.mean()), float(yy.mean()), float(zz.mean())]})
        return res

    gl, pl = geo(R, nR), geo(T, nT)
    if gt_empty:
        out.update({'dice': None, 'lesionSensitivity': None, 'lesionPpv': None, 'lesionF1': None, 'tpGt': 0, 'tpPred': 0,
                    'gtLesions': gl, 'predLesions': [dict(x, matched=False, examined=[]) for x in pl]})
        return out
    I = int(np.logical_and(gt, pred).sum())
    U = int(np.logical_or(gt, pred).sum())
    J = I / U
    dice = 2 * J / (1 + J)
    out_T = [None] + [M[0, j] / size_T[j] for j in range(1, nT + 1)]
    out_R = [None] + [M[i, 0] / size_R[i] for i in range(1, nR + 1)]
    for i in range(1, nR + 1):
        ok, ex = walk(i, size_R[i], size_R[i] - M[i, 0], M[i, :], nT, out_T, p)
        gl[i - 1].update(matched=ok, examined=ex)
    for j in range(1, nT + 1):
        ok, ex = walk(j, size_T[j], size_T[j] - M[0, j], M[:, j], nR, out_R, p)
        pl[j - 1].update(matched=ok, examined=ex)
    both = nR >= 1 and nT >= 1
    tp_gt = sum(x['matched'] for x in gl) if both else 0
    tp_pred = sum(x['matched'] for x in pl) if both else 0
    sens = tp_gt / nR if nR > 0 else float('nan')
    ppv = tp_pred / nT if nT > 0 else 0.0
    f1 = 2 * ppv * sens / (ppv + sens) if ppv + sens > 0 else 0.0
    out.update({'dice': dice, 'lesionSensitivity': None if math.isnan(sens) else sens, 'sensitivityNaN': math.isnan(sens),
                'lesionPpv': ppv, 'lesionF1': f1, 'tpGt': tp_gt, 'tpPred': tp_pred, 'gtLesions': gl, 'predLesions': pl})
    return out


def blobs(rng, shape_zyx, n):
    m = np.zeros(shape_zyx, dtype=bool)
    Z, Y, X = shape_zyx
    zz, yy, xx = np.meshgrid(np.arange(Z), np.arange(Y), np.arange(X), indexing='ij')
    for _ in range(n):
        c = [rng.uniform(0, s) for s in shape_zyx]
        r = [rng.uniform(0.8, 3.5) for _ in range(3)]
        m |= ((zz - c[0]) / r[0]) ** 2 + ((yy - c[1]) / r[1]) ** 2 + ((xx - c[2]) / r[2]) ** 2 <= 1
    return m


def perturb(rng, gt):
    kind = rng.integers(0, 6)
    if kind == 0:
        p = np.roll(gt, tuple(int(s) for s in rng.integers(-2, 3, size=3)), axis=(0, 1, 2))
    elif kind == 1:
        p = ndimage.binary_dilation(gt, structure=SIX)
    elif kind == 2:
        p = ndimage.binary_erosion(gt, structure=SIX)
    elif kind == 3:
        p = gt & (rng.random(gt.shape) > 0.3)
    elif kind == 4:
        p = np.zeros_like(gt)
    else:
        p = gt.copy()
    return p | (rng.random(gt.shape) < rng.uniform(0, 0.03))


def main():
    rng = np.random.default_rng(20261126)
    spacings = [(1.0, 1.0, 1.0), (0.5, 0.5, 0.5), (1.0, 1.0, 3.0), (0.9375, 0.9375, 1.2), (0.7, 1.1, 0.45), (2.0, 1.0, 1.5)]
    cases = []
    while len(cases) < 150:
        shape_zyx = tuple(int(s) for s in rng.integers(6, 18, size=3))
        spacing = spacings[len(cases) % len(spacings)]
        p = {'minLesionMm3': 3.0, 'alpha': 0.1, 'coverage': 0.65, 'maxOutside': 0.7}
        if rng.random() < 0.25:
            p = {'minLesionMm3': float(rng.choice([0.0, 1.0, 3.0, 10.0])), 'alpha': float(rng.choice([0.0, 0.1, 0.3])),
                 'coverage': float(rng.choice([0.5, 0.65, 0.9])), 'maxOutside': float(rng.choice([0.5, 0.7, 1.0]))}
        gt = blobs(rng, shape_zyx, int(rng.integers(0, 6))) if rng.random() > 0.15 else np.zeros(shape_zyx, bool)
        pred = perturb(rng, gt) if rng.random() > 0.2 else blobs(rng, shape_zyx, int(rng.integers(0, 6)))
        if rng.random() < 0.5:  # make GT and prediction swap roles sometimes
            gt, pred = pred, gt
        res = score(gt, pred, spacing, p)
        if res['nGtLesions'] > 16 or res['nPredLesions'] > 16:
            continue  # tie order beyond 16 candidates is libstdc++'s, covered elsewhere
        cases.append({
            'shape': [shape_zyx[2], shape_zyx[1], shape_zyx[0]],  # x, y, z
            'spacing': list(spacing),
            'params': p,
            'gt': np.nonzero(gt.ravel())[0].tolist(),  # linear indices, x fastest
            'pred': np.nonzero(pred.ravel())[0].tolist(),
            'expected': res,
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + '.tmp', 'w') as f:
        json.dump({'generator': 'tools/reference/score_reference.py', 'scipy': __import__('scipy').__version__,
                   'cases': cases}, f, separators=(',', ':'))
    os.replace(OUT + '.tmp', OUT)
    stats = {k: sum(1 for c in cases if c['expected'][k]) for k in ('gtEmpty',)}
    print(f'wrote {len(cases)} cases to {OUT}; gtEmpty {stats["gtEmpty"]}, '
          f'sensNaN {sum(1 for c in cases if c["expected"].get("sensitivityNaN"))}, '
          f'tpGt>0 {sum(1 for c in cases if c["expected"]["tpGt"] > 0)}, '
          f'mismatch-cases {sum(1 for c in cases if not c["expected"]["gtEmpty"] and c["expected"]["tpGt"] < c["expected"]["nGtLesions"])}')


if __name__ == '__main__':
    main()
