#!/usr/bin/python3
"""The scipy peer of tools/bench/score.ts: score one mask pair with scipy.ndimage.label and numpy
counting, written to be fast (counting only over lesion voxels after labelling), and time it.

Usage: /usr/bin/python3 tools/reference/score_scipy_peer.py GT.u8 PRED.u8 X Y Z SX SY SZ REPEATS
       /usr/bin/python3 tools/reference/score_scipy_peer.py --nifti GT.nii.gz PRED.nii.gz
The .u8 files hold raw 0/1 bytes, x fastest. --nifti reads two masks with nibabel and scores them
once (the whole-process peer of `evaluator score` on one patient). Prints one JSON line: per-repeat seconds and the
scores, so the benchmark can check both pipelines agree before comparing their speed. The
detection walk is score_reference.walk (microseconds; the cost is in labelling and counting).
"""
import json
import math
import sys
import time

import numpy as np
import scipy
from scipy import ndimage

from score_reference import SIX, walk


def lesions(mask, min_vox):
    """Foreground voxel indices and their kept-lesion labels (1..n by decreasing size, raster ties)."""
    lab, n = ndimage.label(mask, structure=SIX)
    flat = lab.ravel()
    idx = np.flatnonzero(flat)
    comp = flat[idx]
    sizes = np.bincount(comp, minlength=n + 1)
    # idx is increasing, so the first occurrence of each component is its first raster voxel.
    _, first_pos = np.unique(comp, return_index=True)
    first = np.zeros(n + 1, dtype=np.int64)
    first[1:] = idx[first_pos]
    kept = [c for c in range(1, n + 1) if sizes[c] >= min_vox]
    kept.sort(key=lambda c: (-sizes[c], first[c]))
    relabel = np.zeros(n + 1, dtype=np.int64)
    relabel[kept] = np.arange(1, len(kept) + 1)
    return idx, relabel[comp], len(kept)


def score(gt, pred, spacing, p):
    v = (spacing[0] * spacing[1]) * spacing[2]
    min_vox = math.floor(p['minLesionMm3'] / v) + 1
    gi, gl, nR = lesions(gt, min_vox)
    pi, pl, nT = lesions(pred, min_vox)
    _, a, b = np.intersect1d(gi, pi, assume_unique=True, return_indices=True)
    inter = a.size
    M = np.bincount(gl[a] * (nT + 1) + pl[b], minlength=(nR + 1) * (nT + 1)).reshape(nR + 1, nT + 1)
    size_R = np.bincount(gl, minlength=nR + 1)
    size_T = np.bincount(pl, minlength=nT + 1)
    M[1:, 0] = size_R[1:] - M[1:, 1:].sum(axis=1)  # GT lesion voxels outside every kept prediction
    M[0, 1:] = size_T[1:] - M[1:, 1:].sum(axis=0)
    if gi.size == 0:
        return {'nPredLesions': nT, 'predLesionVolumeMm3': float(size_T[1:].sum()) * v}
    J = inter / (gi.size + pi.size - inter)
    out_T = [None] + [M[0, j] / size_T[j] for j in range(1, nT + 1)]
    out_R = [None] + [M[i, 0] / size_R[i] for i in range(1, nR + 1)]
    tp_gt = sum(walk(i, size_R[i], size_R[i] - M[i, 0], M[i, :], nT, out_T, p)[0] for i in range(1, nR + 1))
    tp_pred = sum(walk(j, size_T[j], size_T[j] - M[0, j], M[:, j], nR, out_R, p)[0] for j in range(1, nT + 1))
    if not (nR >= 1 and nT >= 1):
        tp_gt = tp_pred = 0
    sens = tp_gt / nR if nR > 0 else float('nan')
    ppv = tp_pred / nT if nT > 0 else 0.0
    return {'dice': 2 * J / (1 + J), 'lesionSensitivity': sens, 'lesionPpv': ppv,
            'lesionF1': 2 * ppv * sens / (ppv + sens) if ppv + sens > 0 else 0.0,
            'nGtLesions': nR, 'nPredLesions': nT, 'tpGt': int(tp_gt), 'tpPred': int(tp_pred),
            'predLesionVolumeMm3': float(size_T[1:].sum()) * v}


def main_nifti(gt_path, pred_path):
    import nibabel as nib
    g = nib.load(gt_path)
    gt = np.asanyarray(g.dataobj).T != 0  # nibabel is [x, y, z]; .T gives C order x fastest
    pred = np.asanyarray(nib.load(pred_path).dataobj).T != 0
    p = {'minLesionMm3': 3.0, 'alpha': 0.1, 'coverage': 0.65, 'maxOutside': 0.7}
    spacing = tuple(float(z) for z in g.header.get_zooms()[:3])
    print(json.dumps(score(gt, pred, spacing, p)))


def main():
    if sys.argv[1] == '--nifti':
        return main_nifti(sys.argv[2], sys.argv[3])
    gt_path, pred_path = sys.argv[1], sys.argv[2]
    X, Y, Z = (int(v) for v in sys.argv[3:6])
    spacing = tuple(float(v) for v in sys.argv[6:9])
    repeats = int(sys.argv[9])
    gt = np.fromfile(gt_path, dtype=np.uint8).reshape(Z, Y, X).astype(bool)
    pred = np.fromfile(pred_path, dtype=np.uint8).reshape(Z, Y, X).astype(bool)
    p = {'minLesionMm3': 3.0, 'alpha': 0.1, 'coverage': 0.65, 'maxOutside': 0.7}
    times = []
    res = None
    for _ in range(repeats):
        t = time.perf_counter()
        res = score(gt, pred, spacing, p)
        times.append(time.perf_counter() - t)
    print(json.dumps({'scipy': scipy.__version__, 'numpy': np.__version__, 'seconds': times, 'result': res}))


if __name__ == '__main__':
    main()
