#!/usr/bin/python3
"""Write small NIfTI files with nibabel (Debian python3-nibabel 5.0) and nibabel's own readings.

Run:  /usr/bin/python3 tools/reference/nifti_fixtures.py
Out:  tools/reference/fixtures/nifti/*.nii[.gz] and expected.json

The vitest suite of libs/data reads every file with our reader and compares shape, zooms,
affine (within 1e-6), datatype and every scaled voxel value with what nibabel says here, so
the tests need no Python. Each case exercises one rule of the format (see `why`).
"""
import json
import struct
import os
import sys

import nibabel as nib
import numpy as np

from nifti_payload import write_payload

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'nifti')
rng = np.random.default_rng(20240601)
SHAPE = (7, 6, 5)


def rot_affine(zooms, angles, offset, flip_z=False):
    ax, ay, az = angles
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    m = rz @ ry @ rx @ np.diag(zooms)
    if flip_z:
        m[:, 2] *= -1
    a = np.eye(4)
    a[:3, :3] = m
    a[:3, 3] = offset
    return a


A_ROT = rot_affine([0.9, 1.1, 1.3], [0.1, -0.2, 0.3], [-90.5, 120.25, -60.0])
A_FLIP = rot_affine([1.0, 1.0, 1.2], [0.0, 0.05, -0.1], [88.0, -100.0, 70.0], flip_z=True)
A_SHEAR = np.array([[1.0, 0.2, 0.0, -10.0], [0.0, 1.1, 0.1, 5.0], [0.05, 0.0, 0.8, 2.5], [0, 0, 0, 1]])


def data(dtype, lo, hi, shape=SHAPE):
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(lo, hi, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


cases = []


def write(name, arr, why, *, version=1, endian='<', qform=(A_ROT, 1), sform=(A_ROT, 2), slope=None, zooms=None):
    """Write header and voxels ourselves through nibabel's header class, so nothing is re-derived
    on save (nib.save would recompute scaling and xforms)."""
    hdr = (nib.Nifti1Header if version == 1 else nib.Nifti2Header)(endianness=endian)
    hdr.set_data_shape(arr.shape)
    hdr.set_data_dtype(arr.dtype)
    hdr.set_qform(qform[0], code=qform[1])
    hdr.set_sform(sform[0], code=sform[1])
    if zooms is not None:
        hdr.set_zooms(zooms)
    if slope is not None:  # raw fields: set_slope_inter refuses slope 0, which files do contain
        hdr['scl_slope'], hdr['scl_inter'] = slope
    offset = 352 if version == 1 else 544
    hdr['vox_offset'] = offset
    hdr['descrip'] = why[:79].encode()
    payload = hdr.binaryblock + b'\0' * (offset - hdr.sizeof_hdr)
    payload += arr.astype(arr.dtype.newbyteorder(endian)).tobytes(order='F')
    write_payload(os.path.join(OUT, name), payload)
    cases.append((name, why))


# Every datatype we read, little-endian, qform 1 and sform 2 (nibabel/scanner style).
for dt, lo, hi in [('uint8', 0, 255), ('int8', -128, 127), ('int16', -3000, 3000), ('uint16', 0, 60000),
                   ('int32', -100000, 100000), ('uint32', 0, 4000000000), ('float32', -5, 5), ('float64', -5, 5)]:
    write(f'dtype_{dt}.nii', data(dt, lo, hi), f'datatype {dt}, unscaled')

# Scaling: int16 with slope 0.5 and intercept 10; slope 0 means "no scaling" (intercept ignored too).
write('scaled_int16.nii.gz', data('int16', -2000, 2000), 'int16 with scl_slope 0.5, scl_inter 10', slope=(0.5, 10.0))
write('slope_zero.nii.gz', data('int16', -2000, 2000), 'scl_slope 0: stored values', slope=(0.0, 10.0))

# Big-endian, one float and one scaled integer.
write('bigendian_float32.nii', data('float32', -1000, 1000), 'big-endian float32', endian='>',
      qform=(A_FLIP, 1), sform=(A_FLIP, 1))
write('bigendian_int16.nii.gz', data('int16', -1000, 1000), 'big-endian int16 scaled', endian='>',
      qform=(A_FLIP, 1), sform=(A_FLIP, 1), slope=(2.0, -3.0))

# NIfTI-2, plain and gzipped.
write('nifti2.nii', data('float32', 0, 100), 'NIfTI-2 (540-byte header, float64 srow)', version=2)
write('nifti2_bigendian.nii.gz', data('uint16', 0, 4000), 'NIfTI-2 big-endian gzipped', version=2, endian='>',
      qform=(A_FLIP, 1), sform=(A_SHEAR, 3))

# Orientation rules.
write('qform_only.nii.gz', data('float32', 0, 1), 'qform_code 1 (qfac -1), sform_code 0',
      qform=(A_FLIP, 1), sform=(np.diag([3.0, 3.0, 3.0, 1.0]), 0))
write('sform_only.nii.gz', data('float32', 0, 1), 'sform_code 2 sheared, qform_code 0',
      qform=(A_ROT, 0), sform=(A_SHEAR, 2))
write('both_codes.nii.gz', data('float32', 0, 1), 'qform_code 1 and sform_code 4, different affines',
      qform=(A_ROT, 1), sform=(A_FLIP, 4))
write('no_xform.nii', data('uint8', 0, 200), 'qform_code 0, sform_code 0: pixdim affine',
      qform=(A_ROT, 0), sform=(A_ROT, 0), zooms=(0.7, 0.8, 2.5))

# 4-D: a single volume reads as 3-D; two volumes are an error for us.
write('singleton_4d.nii.gz', data('float32', 0, 1, SHAPE + (1,)), '4-D with dim[4] = 1')
write('multi_4d.nii.gz', data('float32', 0, 1, SHAPE + (2,)), '4-D with two volumes (error)')

expected = {}
for name, why in cases:
    path = os.path.join(OUT, name)
    if name.startswith('multi_4d'):
        expected[name] = {'why': why, 'error': True}
        continue
    img = nib.load(path)
    arr = np.asarray(img.get_fdata(dtype=np.float64))
    if arr.ndim == 4:
        arr = arr[..., 0]
    h = img.header
    expected[name] = {
        'why': why,
        'shape': list(arr.shape),
        'zooms': [float(z) for z in h.get_zooms()[:3]],
        'affine': img.affine.tolist(),
        'datatype': str(h.get_data_dtype().newbyteorder('=').name),
        'qform_code': int(h['qform_code']),
        'sform_code': int(h['sform_code']),
        'min': float(arr.min()), 'max': float(arr.max()), 'sum': float(arr.sum()), 'mean': float(arr.mean()),
        # Fortran order = x fastest, our memory order.
        'values': arr.ravel(order='F').tolist(),
    }

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'generator': 'tools/reference/nifti_fixtures.py', 'nibabel': nib.__version__, 'numpy': np.__version__,
               'cases': expected}, f, indent=1)
print(f'wrote {len(cases)} files to {OUT}', file=sys.stderr)
