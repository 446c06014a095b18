/** Small synthetic inputs shared by the report tests. */
import type { VolumeLike } from '../src/overlay.ts';
import type { Table1Row } from '../src/table1.ts';

export function volume(shape: [number, number, number], f: (x: number, y: number, z: number) => number): VolumeLike {
  const [X, Y, Z] = shape;
  const data = new Float32Array(X * Y * Z);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) data[x + X * (y + Y * z)] = f(x, y, z);
  return { shape, data };
}

const ms = (mean: number, sem: number, n: number) => ({ mean, sem, n, nNaN: 0 });

export function row(configuration: string, dice: number): Table1Row {
  return {
    configuration,
    summary: {
      withNewLesions: {
        nPatients: 3,
        dice: ms(dice, 0.05, 3),
        lesionF1: ms(0.5, 0.1, 3),
        lesionSensitivity: { mean: 0.75, sem: 0.125, n: 2, nNaN: 1 },
        lesionPpv: ms(0.4, Number.NaN, 1),
      },
      withoutNewLesions: { nPatients: 2, nPredLesions: ms(1.5, 0.5, 2), predLesionVolumeMm3: ms(31.25, 13, 2) },
    },
    msPerIteration: 1234.4,
    iterations: 120,
  };
}
