/**
 * Runs the trainer as users start it (npx tsx, npx nx run, node --import tsx), in its own
 * process group, on a tiny synthetic dataset, so that tests can signal the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { phantomOptions, writeSyntheticDataset } from '@lesionseg/data';
import { workspaceRoot } from '../src/cli/paths.ts';
import { tempDir } from './harness.ts';

export const ROOT = workspaceRoot();
export const MAIN = path.join(ROOT, 'apps', 'trainer', 'src', 'main.ts');

/** `patients` 16^3 phantoms and a config for a 2-level UNet of width 4 on 8^3 patches, wasm backend. */
export async function tinySetup(iterations = 100_000, patients = 3): Promise<{ dir: string; data: string; config: string }> {
  const dir = tempDir('lesionseg-proc-');
  const data = path.join(dir, 'data');
  await writeSyntheticDataset(data, { patients, seed: 3, phantom: phantomOptions('quick', { shape: [16, 16, 16] }) });
  const config = path.join(dir, 'tiny.json');
  writeFileSync(config, JSON.stringify(tinyConfig(data, iterations)));
  return { dir, data, config };
}

export function tinyConfig(data: string, iterations: number): Record<string, unknown> {
  return {
    name: 'tiny',
    seed: 4,
    backend: 'wasm',
    budget: { type: 'iterations', iterations },
    data: { type: 'msseg2', path: data, validationFraction: 0, spacingMm: null, patchSize: 8 },
    model: { type: 'unet', widths: [4, 4], groups: 2, workers: 0 },
    ema: { type: 'ema', decay: 0.9 },
    strategy: { type: 'oversample', p: 0.5, batchSize: 2 },
    validation: null,
    checkpoint: { type: 'interval', everySeconds: 3600 },
    loggers: [{ type: 'jsonl' }],
  };
}

export type Launch = 'npx tsx' | 'npx nx run' | 'node --import tsx' | 'lesionseg';

/** The `lesionseg` binary, as `npm ci` links it into node_modules/.bin. */
export const BIN = path.join(ROOT, 'node_modules', '.bin', 'lesionseg');

export function command(how: Launch, args: string[]): [string, string[]] {
  if (how === 'npx tsx') return ['npx', ['tsx', MAIN, ...args]];
  if (how === 'npx nx run') return ['npx', ['nx', 'run', 'trainer:train', '--', ...args]];
  if (how === 'lesionseg') return [BIN, ['train', ...args]];
  return [process.execPath, ['--import', 'tsx', MAIN, ...args]];
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number>;
}

/** Starts the trainer detached (a new process group whose leader is the launched command). */
export function startTrainer(how: Launch, args: string[], env: NodeJS.ProcessEnv = {}): Started {
  const [cmd, argv] = command(how, args);
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...env },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))));
  return { child, output: () => out, exit };
}

export function eventTypes(runDir: string): string[] {
  const file = path.join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { type: string }).type);
}

/** Resolves once `events.jsonl` holds `count` stepDone events (or rejects after `timeoutMs`). */
export async function waitForSteps(runDir: string, count: number, started: Started, timeoutMs = 90_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (eventTypes(runDir).filter((t) => t === 'stepDone').length >= count) return;
    if (started.child.exitCode !== null) throw new Error(`the trainer exited early:\n${started.output()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${count} steps after ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
