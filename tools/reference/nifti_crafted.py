#!/usr/bin/python3
"""Crafted NIfTI files of issue 12 (fault injection), written with nibabel, and nibabel's verdict.

Run:  /usr/bin/python3 tools/reference/nifti_crafted.py
Out:  tools/reference/fixtures/nifti/crafted/*.nii[.gz] and nibabel.json

Each file breaks one rule. nibabel.json records what nibabel 5 does with it (loads it, with the
affine / zooms / non-finite voxel count it reads, or the error it raises), so the vitest suite
(libs/data/test/nifti-crafted-reference.test.ts) can show where our reader agrees with nibabel
(vox_offset 348 is refused by both) and where it is deliberately stricter (nibabel reads a NaN
sform, a zero pixdim or trailing data without complaint; we refuse them with the file named).
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

from nifti_payload import write_payload

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'nifti', 'crafted')
SHAPE = (7, 6, 5)
AFFINE = np.array([[-1.0, 0, 0, 3.5], [0, 1.0, 0, -2.5], [0, 0, 1.5, 1.0], [0, 0, 0, 1]])
rng = np.random.default_rng(12)
cases = []


def header(arr, *, qcode=1, scode=2):
    hdr = nib.Nifti1Header()
    hdr.set_data_shape(arr.shape)
    hdr.set_data_dtype(arr.dtype)
    hdr.set_qform(AFFINE, code=qcode)
    hdr.set_sform(AFFINE, code=scode)
    hdr['vox_offset'] = 352
    return hdr


def write(name, why, arr, hdr, *, trailing=b''):
    """Header bytes as nibabel makes them (fields edited through its header class), voxels, then
    `trailing`; nothing re-derived on save."""
    offset = int(hdr['vox_offset'])
    payload = hdr.binaryblock + b'\0' * max(0, offset - hdr.sizeof_hdr)
    payload = payload[:offset] + arr.tobytes(order='F') + trailing
    write_payload(os.path.join(OUT, name), payload)
    cases.append((name, why))


img = rng.uniform(50, 150, size=SHAPE).astype(np.float32)

h = header(img)
h['vox_offset'] = 348
write('offset_348.nii', 'vox_offset 348: the 4-byte extension flag would be read as voxels', img, h)

h = header(img)
h['srow_x'] = [-1.0, float('nan'), 0.0, 3.5]
write('nan_sform.nii.gz', 'a NaN in the sform in use (sform_code 2)', img, h)

h = header(img)
h['pixdim'][1] = float('nan')
write('nan_pixdim.nii.gz', 'pixdim[1] NaN beside a valid sform', img, h)

h = header(img, scode=0)
h['pixdim'][1] = 0.0
write('zero_pixdim_qform.nii.gz', 'pixdim[1] 0 with the qform in use: every voxel volume 0', img, h)

nan = img.copy()
nan.ravel()[[3, 40, 77, 101, 150, 151, 180, 200]] = np.nan
write('nan_voxels.nii.gz', '8 NaN voxels in a FLAIR (the reader reads it; the input policy refuses it)', nan, header(nan))

write('trailing_zeros.nii.gz', '1 MiB of zeros after the image in the gzip stream', img, header(img), trailing=b'\0' * (1 << 20))

mask = np.zeros(SHAPE, np.uint8)
mask[2:5, 2:4, 1:3] = 255
write('mask_0_255.nii.gz', 'a {0,255} ground truth (the reader reads it; the mask rule refuses it)', mask, header(mask))

verdicts = {}
for name, why in cases:
    path = os.path.join(OUT, name)
    v = {'why': why}
    try:
        im = nib.load(path)
        data = np.asarray(im.get_fdata(dtype=np.float64))
        v.update({
            'loads': True,
            'affine': [[None if not np.isfinite(x) else float(x) for x in row] for row in im.affine],
            'zooms': [None if not np.isfinite(z) else float(z) for z in im.header.get_zooms()[:3]],
            'nonFinite': int((~np.isfinite(data)).sum()),
            'values': sorted({float(x) for x in np.unique(data[np.isfinite(data)])})[:4],
        })
    except Exception as e:  # nibabel's verdict is the data here
        v.update({'loads': False, 'error': f'{type(e).__name__}: {e}'})
    verdicts[name] = v

with open(os.path.join(OUT, 'nibabel.json'), 'w') as f:
    json.dump({'generator': 'tools/reference/nifti_crafted.py', 'nibabel': nib.__version__, 'numpy': np.__version__,
               'cases': verdicts}, f, indent=1)
print(f'wrote {len(cases)} files to {OUT}', file=sys.stderr)
