// Peak memory and time of preprocessing a 256x256x180 FLAIR pair at 1 mm to 0.5 mm, and of the
// inverse (working-grid probabilities back to the original grid).
//   npx tsx tools/bench/data-resample.ts [--stage alloc|preprocess|full]
// alloc: only builds the inputs (the peer: what any pipeline holds before preprocessing);
// preprocess: + resample/z-score/stack/mask; full: + the inverse. Measure peak RSS from outside,
// e.g. `/usr/bin/time -v npx tsx tools/bench/data-resample.ts --stage full` (Maximum resident set size).
import { parseArgs } from 'node:util';
import { preprocessPatient, predictionToOriginalMask } from '@lesionseg/data';
import type { Vec3, Volume } from '@lesionseg/data';

const { values } = parseArgs({ options: { stage: { type: 'string', default: 'full' } } });
const shape: Vec3 = [256, 256, 180];
const affine = [
  [-1, 0, 0, 128],
  [0, 1, 0, -128],
  [0, 0, 1, -90],
  [0, 0, 0, 1],
];
const n = shape[0] * shape[1] * shape[2];
const vol = (f: (i: number) => number): Volume => {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(i);
  return { shape, spacing: [1, 1, 1], affine, data };
};
const t0 = performance.now();
const baseline = vol((i) => 300 + 100 * Math.sin(i * 0.001) + (i % 97));
const followup = vol((i) => 310 + 100 * Math.sin(i * 0.001) + (i % 89));
const mask = vol((i) => ((i * 2654435761) % 1000003 < 300 ? 1 : 0));
const t1 = performance.now();
const report: Record<string, number | string> = { stage: values.stage ?? 'full', inputMs: Math.round(t1 - t0) };
if (values.stage !== 'alloc') {
  const p = preprocessPatient({ id: 'bench', baseline, followup, mask });
  const t2 = performance.now();
  report.workingShape = p.shape.join('x');
  report.preprocessMs = Math.round(t2 - t1);
  report.positives = p.positives.length;
  if (values.stage === 'full') {
    const prob = Float32Array.from(p.mask);
    const back = predictionToOriginalMask(prob, p.grid);
    report.inverseMs = Math.round(performance.now() - t2);
    let same = 0;
    for (let i = 0; i < n; i++) if (back.data[i] === mask.data[i]) same++;
    report.inverseAgreement = same / n;
  }
}
report.rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
console.log(JSON.stringify(report));
