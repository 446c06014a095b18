/**
 * Soak check by hand (issue 12): a training killed with SIGKILL at random moments and resumed
 * each time must end with a loadable run, one continuous events.jsonl and a readable report.
 *
 *   node --import tsx tools/fault/soak.ts [--minutes 30] [--seed 1] [--out DIR]
 *
 * Tiny phantoms and a tiny UNet (wasm backend), checkpoints every 0.5 s of training, validation every 1 s,
 * kills 2-20 s after each start (seeded). Prints one JSON line: kills, iterations, seconds, and the checks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkpointPath, createRng, phantomOptions, runPath, writeSyntheticDataset } from '@lesionseg/data';
import { readRunFolder } from '@lesionseg/report';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, seed: { type: 'string', default: '1' }, out: { type: 'string' } } });
const minutes = Number(values.minutes);
const rng = createRng(Number(values.seed));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const main = path.join(root, 'apps', 'trainer', 'src', 'main.ts');
const dir = values.out ? path.resolve(values.out) : mkdtempSync(path.join(os.tmpdir(), 'lesionseg-soak-'));
const data = path.join(dir, 'data');
const runDir = path.join(dir, 'run');
const eventsFile = runPath(runDir, 'events');
const ITERATIONS = 1_000_000_000; // the soak ends by time: the last resume runs to a small extra budget

function start(args: string[]): { exit: Promise<number | string>; kill: () => void; interrupt: () => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exit = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal as string))));
  void exit.then((c) => {
    if (typeof c === 'number' && c !== 0 && c !== 130) process.stderr.write(`trainer exited ${c}:\n${err}\n`);
  });
  return { exit, kill: () => child.kill('SIGKILL'), interrupt: () => child.kill('SIGINT') };
}

/** Killed before it wrote config.json, a start left nothing: the same command starts it again. */
function command(): string[] {
  return existsSync(runPath(runDir, 'config')) ? ['--run', runDir, '--resume'] : ['--config', path.join(dir, 'soak.json'), '--run', runDir];
}

async function run(): Promise<void> {
  await writeSyntheticDataset(data, { patients: 3, seed: 5, phantom: phantomOptions('quick', { shape: [16, 16, 16] }) });
  const config = {
    name: 'soak',
    seed: 2,
    backend: 'wasm',
    budget: { type: 'iterations', iterations: ITERATIONS },
    data: { type: 'msseg2', path: data, validationFraction: 0.34, spacingMm: null, patchSize: 8 },
    model: { type: 'unet', widths: [4, 4], groups: 2, workers: 0 },
    ema: { type: 'ema', decay: 0.9 },
    strategy: { type: 'ohem', candidates: 8, batchSize: 2, scoreChunk: 8 },
    validation: { type: 'dice', everySeconds: 1 },
    checkpoint: { type: 'interval', everySeconds: 0.5 },
    loggers: [{ type: 'jsonl' }],
  };
  writeFileSync(path.join(dir, 'soak.json'), JSON.stringify(config));
  const t0 = Date.now();
  let kills = 0;
  while (Date.now() - t0 < minutes * 60_000) {
    const p = start(command());
    const wait = 2000 + rng.next() * 18_000; // start-up takes a few seconds: some kills land in it
    const timer = setTimeout(() => p.kill(), wait);
    const code = await p.exit;
    clearTimeout(timer);
    if (code === 'SIGKILL') kills++;
    else if (code !== 130 && code !== 0) throw new Error(`the trainer failed (exit ${code}) after ${kills} kills`);
  }
  // End cleanly: a resume stopped by SIGINT after a few seconds saves checkpoints/latest.
  const starts = () => (existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').split('"trainStart"').length - 1 : 0);
  const before = starts();
  const last = start(command());
  for (let t = 0; starts() === before && t < 600; t++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 3000));
  last.interrupt();
  const lastCode = await Promise.race([last.exit, new Promise((r) => setTimeout(() => r('timeout'), 60_000))]);
  if (lastCode === 'timeout') last.kill();

  const { loadCheckpoint } = await import('@lesionseg/models');
  const loaded = await loadCheckpoint(checkpointPath(runDir, 'latest'));
  const iteration = (loaded.plugins['trainer'] as { iteration: number }).iteration;
  const events = readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { type: string; iteration: number });
  const steps = events.filter((e) => e.type === 'stepDone').map((e) => e.iteration);
  const continuous = steps.every((it, k) => it === k + 1);
  const summary = await readRunFolder(runDir);
  const result = {
    minutes,
    kills,
    resumes: kills + 1,
    finalExit: lastCode,
    checkpointIteration: iteration,
    stepsLogged: steps.length,
    eventsContinuous: continuous,
    eventsParse: true,
    bestExists: existsSync(checkpointPath(runDir, 'best')),
    reportIterations: summary.iterations,
    reportBestDice: summary.bestDice,
    runDir,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!continuous || steps.length !== iteration || lastCode !== 130) process.exitCode = 1;
}

await run();
