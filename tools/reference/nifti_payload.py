"""The one way the nibabel fixture scripts (nifti_fixtures.py, nifti_crafted.py) put a NIfTI's
bytes on disk: raw, or gzip with mtime 0 so that rerunning a script rewrites identical files."""
import gzip


def write_payload(path, payload):
    if path.endswith('.gz'):
        with gzip.GzipFile(path, 'wb', mtime=0) as f:
            f.write(payload)
    else:
        with open(path, 'wb') as f:
            f.write(payload)
