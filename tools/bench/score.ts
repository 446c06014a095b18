/**
 * Benchmark: MSSEG-2 scoring of one large phantom pair (default 400x480x400 at 0.5 mm, the size
 * of an MSSEG-2 patient resampled to 0.5 mm) with @lesionseg/metrics, and the same pair through
 * the scipy pipeline (scipy.ndimage.label + numpy counting over lesion voxels,
 * tools/reference/score_scipy_peer.py, Debian python3-scipy) as the peer. Both are timed inside their process, after the masks are in
 * memory, over the same number of repeats; the report gives the medians and their ratio, and
 * checks first that both pipelines produce the same scores.
 *
 * Run from the workspace root:
 *   npx tsx tools/bench/score.ts [--shape 400,480,400] [--lesions 60] [--repeats 5] [--seed 1]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vec3 } from '@lesionseg/data';
import { scorePatient } from '@lesionseg/metrics';
import type { PatientScore } from '@lesionseg/metrics';
import { paint, randomBlobs, sprinkle } from './score-phantom.ts';

function arg(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && process.argv[k + 1] ? process.argv[k + 1] : fallback;
}

const shape = arg('shape', '400,480,400').split(',').map(Number) as Vec3;
const nLesions = Number(arg('lesions', '60'));
const repeats = Number(arg('repeats', '5'));
const seed = Number(arg('seed', '1'));
const spacing: Vec3 = [0.5, 0.5, 0.5];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// GT: ellipsoid lesions 1-7 mm across; prediction: most of them, shifted and shrunk, plus
// isolated false-positive voxels (the speckle a thresholded network leaves).
const blobs = randomBlobs(seed, shape, nLesions, 2, 14);
const gt = paint(shape, blobs);
const pred = paint(shape, blobs.slice(Math.floor(nLesions / 10)), [1.5, -1, 0.5], 0.9);
sprinkle(pred, seed + 1, 5000);

const ours: number[] = [];
let result: PatientScore | undefined;
scorePatient({ data: gt, shape, spacing }, { data: pred, shape, spacing }); // warm-up (JIT)
for (let k = 0; k < repeats; k++) {
  const t = performance.now();
  result = scorePatient({ data: gt, shape, spacing }, { data: pred, shape, spacing });
  ours.push((performance.now() - t) / 1000);
}
// The evaluator hands over Float32Array voxels (readNifti); time that path once too.
const gtF = Float32Array.from(gt);
const predF = Float32Array.from(pred);
const f32: number[] = [];
for (let k = 0; k < repeats; k++) {
  const t = performance.now();
  scorePatient({ data: gtF, shape, spacing }, { data: predF, shape, spacing });
  f32.push((performance.now() - t) / 1000);
}

const dir = mkdtempSync(join(tmpdir(), 'score-bench-'));
let peer: { scipy: string; numpy: string; seconds: number[]; result: Record<string, number | null> };
try {
  writeFileSync(join(dir, 'gt.u8'), gt);
  writeFileSync(join(dir, 'pred.u8'), pred);
  const py = spawnSync(
    '/usr/bin/python3',
    ['tools/reference/score_scipy_peer.py', join(dir, 'gt.u8'), join(dir, 'pred.u8'), ...shape.map(String), ...spacing.map(String), String(repeats + 1)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (py.status !== 0) throw new Error(`scipy peer failed (${py.status}): ${py.stderr}`);
  peer = JSON.parse(py.stdout) as typeof peer;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const peerTimes = peer.seconds.slice(1); // first run is the peer's warm-up

const r = result as PatientScore;
for (const k of ['nGtLesions', 'nPredLesions', 'tpGt', 'tpPred', 'dice', 'lesionSensitivity', 'lesionPpv', 'lesionF1', 'predLesionVolumeMm3'] as const) {
  const a = r[k] as number;
  const b = peer.result[k] as number;
  if (!(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)))) throw new Error(`pipelines disagree on ${k}: ours ${a}, scipy ${b}`);
}

const mo = median(ours);
const mp = median(peerTimes);
console.log(
  `phantom ${shape.join('x')} @ 0.5 mm: GT ${r.nGtLesions} lesions / ${r.gtVoxels} voxels, prediction ${r.nPredLesions} lesions (+${r.predSmallComponents} specks)`,
);
console.log(
  `scores agree: Dice ${r.dice?.toFixed(6)}, SensL ${r.lesionSensitivity?.toFixed(6)}, PPVL ${r.lesionPpv?.toFixed(6)}, F1 ${r.lesionF1?.toFixed(6)}`,
);
console.log(`@lesionseg/metrics (Uint8Array)  median ${mo.toFixed(3)} s  [${ours.map((t) => t.toFixed(3)).join(' ')}]`);
console.log(`@lesionseg/metrics (Float32Array) median ${median(f32).toFixed(3)} s  [${f32.map((t) => t.toFixed(3)).join(' ')}]`);
console.log(`scipy ${peer.scipy} / numpy ${peer.numpy} median ${mp.toFixed(3)} s  [${peerTimes.map((t) => t.toFixed(3)).join(' ')}]`);
console.log(`ratio ours/scipy = ${(mo / mp).toFixed(3)} (scipy takes ${(mp / mo).toFixed(1)}x as long)`);
