// The preprocessed cache at cohort scale (run by hand; minutes): trainer runs on synthetic
// phantoms, each in its own process under /usr/bin/time -v for the peak RSS.
//   node --import tsx tools/bench/cache-bench.ts --dir /tmp/cache-bench [--size 80] [--cohorts 10,40]
//        [--memory 128] [--iterations 12] [--baseline /path/to/checkout-before-the-cache]
//        [--data DIR] [--shared-cache] [--baseline-max N]
// --data: an existing dataset (e.g. `lesionseg synth --preset realistic --shape 180,220,180`, a
// 360x440x360 working grid at 0.5 mm: MSSEG-2's size) instead of generated quick phantoms;
// cohorts are its first n patients. --shared-cache: one cache for every cohort (run the largest
// first: its cold run fills the entries the smaller cohorts then read warm), so a full-size
// cohort is preprocessed once. --baseline-max N: the in-memory baseline only for cohorts <= N
// (at full size it holds ~0.5 GiB a patient). --runs: which of first,warm,noworker,baseline to run
// (e.g. `--runs warm --iterations 150`: enough steps for the LRU to reach its cap).
// For each cohort size: run 1 on an empty cache (cold: preprocessing at start-up), run 2 on the
// same data (warm: start-up only opens the entries), run 3 with data.patchWorker off, and, with
// --baseline, today's in-memory trainer (a checkout before the cache) on the same data and config.
// Reported: start-up (spawn to trainStart), median step_ms over the steps after the first two,
// peak RSS. Phantoms are the quick preset at --size^3 voxels of 1 mm, trained at 0.5 mm, so a
// working grid is (2 size)^3 voxels; --memory is data.memoryMiB (scale it with the grid).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listPatients, openCohort, phantomOptions, writeSyntheticDataset } from '@lesionseg/data';

const { values: a } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/lesionseg-cache-bench' },
    size: { type: 'string', default: '80' },
    cohorts: { type: 'string', default: '10,40' },
    memory: { type: 'string', default: '128' },
    iterations: { type: 'string', default: '12' },
    baseline: { type: 'string' },
    data: { type: 'string' },
    'shared-cache': { type: 'boolean', default: false },
    'baseline-max': { type: 'string', default: '1000000' },
    runs: { type: 'string', default: 'first,warm,noworker,baseline' },
  },
});
const root = resolve(import.meta.dirname, '../..');
const dir = resolve(a.dir);
const size = Number(a.size);
const cohorts = a.cohorts.split(',').map(Number);
const iterations = Number(a.iterations);
const maxPatients = Math.max(...cohorts);

async function dataset(n: number): Promise<string> {
  const all = a.data ? resolve(a.data) : join(dir, `phantoms-${size}`);
  if (!a.data && !existsSync(join(all, 'dataset.json'))) {
    console.error(`generating ${maxPatients} phantoms of ${size}^3 in ${all}`);
    await writeSyntheticDataset(all, { patients: maxPatients, seed: 3, phantom: phantomOptions('quick', { shape: [size, size, size] }) });
  }
  // A cohort of n: links to the first n patient folders (the loader follows them).
  const sub = join(dir, `cohort-${a.data ? 'data' : size}-${n}`);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub, { recursive: true });
  for (const id of readdirSync(all)
    .filter((f) => f.startsWith('synth-'))
    .sort()
    .slice(0, n))
    symlinkSync(join(all, id), join(sub, id));
  return sub;
}

function config(cached: { cacheDir: string; memoryMiB: number; patchWorker: boolean } | null): Record<string, unknown> {
  return {
    name: 'cache-bench',
    seed: 1,
    budget: { type: 'iterations', iterations },
    data: { type: 'msseg2', validationFraction: 0, spacingMm: 0.5, patchSize: 32, ...(cached ?? {}) },
    model: { type: 'unet', widths: [8, 16], groups: 4 },
    loss: { type: 'bce' },
    optimizer: { type: 'adam' },
    lrSchedule: { type: 'step', initialLr: 1e-3, milestones: [] },
    ema: { type: 'ema', decay: 0.9 },
    strategy: { type: 'ohem', candidates: 32, positiveFraction: 0.3, batchSize: 8 },
    validation: null,
    checkpoint: { type: 'interval', everySeconds: null },
    loggers: [{ type: 'jsonl' }],
  };
}

interface RunResult {
  startupS: number;
  stepMs: number;
  peakRssMiB: number;
  log: string;
}

async function train(checkout: string, data: string, cfg: Record<string, unknown>, name: string): Promise<RunResult> {
  const runDir = join(dir, 'runs', name);
  rmSync(runDir, { recursive: true, force: true });
  const cfgFile = join(dir, `${name}.json`);
  writeFileSync(cfgFile, JSON.stringify(cfg));
  const args = [
    '-v',
    process.execPath,
    '--import',
    'tsx',
    join(checkout, 'apps/trainer/src/main.ts'),
    '--config',
    cfgFile,
    '--data',
    data,
    '--out',
    runDir,
    '--backend',
    'wasm',
  ];
  const t0 = Date.now();
  const err = await new Promise<string>((ok, fail) => {
    const c = spawn('/usr/bin/time', args, { cwd: checkout, stdio: ['ignore', 'ignore', 'pipe'] });
    let e = '';
    c.stderr.on('data', (d) => (e += d));
    c.on('exit', (code) => (code === 0 ? ok(e) : fail(new Error(`${name}: trainer exited ${code}\n${e.slice(-3000)}`))));
  });
  const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; time: string });
  const start = events.find((e) => e.type === 'trainStart');
  const rows = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
  const col = rows[0].split(',').indexOf('step_ms');
  const steps = rows
    .slice(3)
    .map((r) => Number(r.split(',')[col]))
    .sort((x, y) => x - y);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  return {
    startupS: start ? (Date.parse(start.time) - t0) / 1000 : NaN,
    stepMs: steps[Math.floor(steps.length / 2)],
    peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN,
    log: err
      .split('\n')
      .filter((l) => /patients: /.test(l))
      .join(' | '),
  };
}

const memoryMiB = Number(a.memory);
const wanted = new Set(a.runs.split(','));
const table: string[] = ['| patients | run | start-up s | median step ms | peak RSS MiB | |', '|---|---|---|---|---|---|'];
for (const n of cohorts) {
  const data = await dataset(n);
  const cacheDir = a['shared-cache'] ? join(dir, 'cache-shared') : join(dir, `cache-${size}-${n}`);
  const cold = !existsSync(cacheDir);
  if (!a['shared-cache']) rmSync(cacheDir, { recursive: true, force: true });
  const runs: [string, string, () => Promise<RunResult>][] = [
    [
      'first',
      cold || !a['shared-cache'] ? 'cold cache' : 'warm cache (filled by a larger cohort)',
      () => train(root, data, config({ cacheDir, memoryMiB, patchWorker: true }), `cold-${n}`),
    ],
    ['warm', 'warm cache', () => train(root, data, config({ cacheDir, memoryMiB, patchWorker: true }), `warm-${n}`)],
    ['noworker', 'warm, no worker', () => train(root, data, config({ cacheDir, memoryMiB, patchWorker: false }), `noworker-${n}`)],
  ];
  if (a.baseline && n <= Number(a['baseline-max']))
    runs.push(['baseline', 'in memory (before the cache)', () => train(resolve(a.baseline as string), data, config(null), `baseline-${n}`)]);
  for (const [kind, what, run] of runs) {
    if (!wanted.has(kind)) continue;
    const r = await run();
    const line = `| ${n} | ${what} | ${r.startupS.toFixed(1)} | ${r.stepMs} | ${r.peakRssMiB.toFixed(0)} | ${r.log} |`;
    console.log(line);
    table.push(line);
  }
  const bytes = readdirSync(cacheDir).reduce((s, id) => s + readdirSync(join(cacheDir, id)).reduce((t, f) => t + statSize(join(cacheDir, id, f)), 0), 0);
  console.log(`cache in ${cacheDir}: ${(bytes / 2 ** 20).toFixed(0)} MiB`);
  // The head box's saving: stored (box) voxels against the full working grids (headers only).
  const { patients } = await openCohort(await listPatients(data), { dir: cacheDir, spacingMm: 0.5, margin: 32, memoryMiB: 1 });
  const vox = (s: readonly number[]) => s[0] * s[1] * s[2];
  const box = patients.reduce((t, p) => t + vox(p.shape), 0);
  const grid = patients.reduce((t, p) => t + vox(p.grid.targetShape), 0);
  const line = `head box: ${(box / 1e6).toFixed(0)} M of ${(grid / 1e6).toFixed(0)} M working voxels stored (${(100 * (1 - box / grid)).toFixed(1)} % saved), grid ${patients[0].grid.targetShape.join('x')}`;
  console.log(line);
  table.push(`|  | ${line} | | | | |`);
}
console.log(
  `\n${a.data ? `dataset ${a.data}, trained at 0.5 mm` : `phantoms ${size}^3 at 1 mm -> ${2 * size}^3 at 0.5 mm`}, data.memoryMiB ${memoryMiB}, ${iterations} OHEM iterations (32 candidates, batch 8, 32^3)\n${table.join('\n')}`,
);

function statSize(f: string): number {
  return statSync(f).size;
}
