#!/usr/bin/python3
"""Read the files our writer produced (fixtures/nifti/written/) with nibabel, and with niftilib's
nifti_tool (Debian nifti-bin: the NIfTI reference C library that ITK's NiftiImageIO is built on),
and record what they see.

The libs/data tests compare this JSON with the volumes they were written from: nibabel's affine,
its qform and sform (both must be set), the on-disk datatype, the description and every value.
"""
import json
import os
import shutil
import subprocess

import nibabel as nib
import numpy as np

def qform_of(affine):
    ref = nib.Nifti1Header()
    ref.set_qform(affine, code=1)
    return ref.get_qform().tolist()


def niftilib(path):
    """qto_xyz / sto_xyz as niftilib computes them, and its header validity check."""
    if not shutil.which('nifti_tool'):
        raise SystemExit('nifti_tool not found: apt-get install nifti-bin')
    out = subprocess.run(['nifti_tool', '-disp_nim', '-field', 'qto_xyz', '-field', 'sto_xyz', '-infiles', path],
                         capture_output=True, text=True, check=True).stdout
    mats = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ('qto_xyz', 'sto_xyz'):
            vals = [float(v) for v in parts[3:19]]
            mats[parts[0]] = [vals[0:4], vals[4:8], vals[8:12], vals[12:16]]
    check = subprocess.run(['nifti_tool', '-check_hdr', '-check_nim', '-infiles', path],
                           capture_output=True, text=True).stdout + ''
    mats['check'] = ' / '.join(l.split(' for file')[0] for l in check.strip().splitlines())
    return mats


DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'nifti', 'written')
out = {}
for name in sorted(os.listdir(DIR)):
    if not name.endswith(('.nii', '.nii.gz')):
        continue
    img = nib.load(os.path.join(DIR, name))
    h = img.header
    arr = np.asarray(img.get_fdata(dtype=np.float64))
    out[name] = {
        'shape': list(arr.shape),
        'datatype': str(h.get_data_dtype().newbyteorder('=').name),
        'affine': img.affine.tolist(),
        'qform': h.get_qform().tolist(),
        'sform': h.get_sform().tolist(),
        'qform_code': int(h['qform_code']),
        'sform_code': int(h['sform_code']),
        # What nibabel itself would store as the qform of our sform (nearest rotation for shears).
        'nibabel_qform_of_sform': qform_of(h.get_sform()),
        'zooms': [float(z) for z in h.get_zooms()],
        'descrip': h['descrip'].tobytes().rstrip(b'\0').decode(),
        'sizeof_hdr': int(h['sizeof_hdr']),
        'vox_offset': float(h['vox_offset']),
        'values': arr.ravel(order='F').tolist(),
        'niftilib': niftilib(os.path.join(DIR, name)),
    }
with open(os.path.join(DIR, 'nibabel.json'), 'w') as f:
    json.dump({'nibabel': nib.__version__, 'files': out}, f, indent=1)
print(f'checked {len(out)} files')
