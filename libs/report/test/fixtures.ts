/** Small synthetic inputs shared by the report tests. */
import type { VolumeLike } from '../src/overlay.ts';
import type { Table1Row } from '../src/table1.ts';

export function volume(shape: [number, number, number], f: (x: number, y: number, z: number) => number): VolumeLike {
  const [X, Y, Z] = shape;
  const data = new Float32Array(X * Y * Z);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) data[x + X * (y + Y * z)] = f(x, y, z);
  return { shape, data };
}

/** 6-connected labelling by flood fill: an independent, obviously-correct helper for tests. */
export function label6(mask: VolumeLike): Int32Array {
  const [X, Y, Z] = mask.shape;
  const labels = new Int32Array(X * Y * Z);
  let next = 0;
  for (let start = 0; start < labels.length; start++) {
    if (mask.data[start] <= 0.5 || labels[start] !== 0) continue;
    labels[start] = ++next;
    const stack = [start];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const x = i % X;
      const y = Math.floor(i / X) % Y;
      const z = Math.floor(i / (X * Y));
      const neighbours = [
        x > 0 ? i - 1 : -1,
        x < X - 1 ? i + 1 : -1,
        y > 0 ? i - X : -1,
        y < Y - 1 ? i + X : -1,
        z > 0 ? i - X * Y : -1,
        z < Z - 1 ? i + X * Y : -1,
      ];
      for (const n of neighbours) {
        if (n >= 0 && mask.data[n] > 0.5 && labels[n] === 0) {
          labels[n] = next;
          stack.push(n);
        }
      }
    }
  }
  return labels;
}

export function row(configuration: string, dice: number): Table1Row {
  return {
    configuration,
    withNewLesions: {
      patients: 3,
      dice: { mean: dice, sem: 0.05, n: 3 },
      lesionF1: { mean: 0.5, sem: 0.1, n: 3 },
      lesionSensitivity: { mean: 0.75, sem: 0.125, n: 2 },
      lesionPpv: { mean: 0.4, sem: null, n: 1 },
    },
    withoutNewLesions: { patients: 2, predictedLesions: { mean: 1.5, sem: 0.5, n: 2 }, predictedVolumeMm3: { mean: 31.25, sem: 13, n: 2 } },
    msPerIteration: 1234.4,
    iterations: 120,
  };
}
