/**
 * Volumes that our writer turns into files for nibabel to read back
 * (tools/reference/nifti_write_fixtures.ts + nifti_check_written.py). Deterministic formulas, so
 * the test can rebuild them and demand byte-identical output.
 */
import type { Volume, Vec3 } from '../src/index.ts';

export interface WrittenCase {
  name: string;
  datatype: 'float32' | 'uint8' | 'int16';
  description: string;
  volume: Volume;
}

function make(shape: Vec3, affine: number[][], f: (i: number) => number): Volume {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = f(i);
  const spacing = [0, 1, 2].map((j) => Math.hypot(affine[0][j], affine[1][j], affine[2][j])) as Vec3;
  return { shape, spacing, affine, data };
}

const c = Math.cos(0.3);
const s = Math.sin(0.3);

export function writtenCases(): WrittenCase[] {
  return [
    {
      name: 'written_float32.nii.gz',
      datatype: 'float32',
      description: 'lesionseg float32 rotated',
      volume: make(
        [9, 8, 7],
        [
          [0.5 * c, -0.5 * s, 0, -20.25],
          [0.5 * s, 0.5 * c, 0, 31.5],
          [0, 0, 0.75, -12],
          [0, 0, 0, 1],
        ],
        (i) => Math.sin(i * 0.37) * 100.125,
      ),
    },
    {
      name: 'written_uint8.nii',
      datatype: 'uint8',
      description: 'lesionseg uint8 mask, left-handed axes',
      volume: make(
        [6, 5, 4],
        [
          [-1, 0, 0, 90],
          [0, 1, 0, -126],
          [0, 0, 1, -72],
          [0, 0, 0, 1],
        ],
        (i) => (i % 7 === 0 ? 1 : 0),
      ),
    },
    {
      name: 'written_int16.nii.gz',
      datatype: 'int16',
      description: 'lesionseg int16 sheared affine',
      volume: make(
        [5, 6, 7],
        [
          [1, 0.2, 0, -10],
          [0, 1.1, 0.1, 5],
          [0.05, 0, 0.8, 2.5],
          [0, 0, 0, 1],
        ],
        (i) => ((i * 37) % 2001) - 1000,
      ),
    },
  ];
}
