/**
 * `train --resume RUN --cache DIR`: the cache folder given on the command line replaces the one
 * recorded in the run's config.json for that invocation (where the cache lives changes no
 * result): the resumed run builds and reads entries there and never touches the recorded one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.ts';
import { createRealRuntime } from '../src/adapters/real-runtime.ts';
import { train, type TrainDeps } from '../src/train.ts';
import { tinySetup } from './process-harness.ts';

function deps(root: string, logs: string[], stopAt: number | null): TrainDeps {
  let signal: ((s: string) => void) | null = null;
  return {
    env: { INIT_CWD: root },
    workspaceRoot: root,
    createRuntime: (request) => createRealRuntime(request, (t) => logs.push(t)),
    onSignals: (handler) => {
      signal = handler;
      return () => (signal = null);
    },
    hooks: stopAt === null ? [] : [{ name: 'stop-at', afterStep: (ctx) => void (ctx.iteration === stopAt && signal?.('SIGINT')) }],
    progressOutput: { write: () => {}, isTTY: false },
    log: (t) => logs.push(t),
  };
}

/** Every file under a cache folder with its mtime (entries live in <cache>/<patient>/). */
function entries(cache: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of readdirSync(cache)) for (const f of readdirSync(path.join(cache, p))) out[`${p}/${f}`] = statSync(path.join(cache, p, f)).mtimeMs;
  return out;
}

describe('train --run RUN --resume --cache DIR (and --resume RUN --cache DIR)', () => {
  it('builds and reads the entries in DIR, not in the cache recorded in the run, which stays untouched', { timeout: 300_000 }, async () => {
    const { dir, data, config } = await tinySetup(6);
    const run = path.join(dir, 'run');
    const recorded = path.join(dir, 'cache-recorded');
    const other = path.join(dir, 'cache-other');
    const first: string[] = [];
    expect((await train(parseCli(['--config', config, '--run', run, '--cache', recorded]), deps(dir, first, 2))).exitCode).toBe(130);
    expect(first.join('\n')).toContain(`training patients: 3 preprocessed into ${recorded}, 0 read from it`);
    const recordedBefore = entries(recorded);
    expect(Object.keys(recordedBefore)).toHaveLength(3);

    // Resumed elsewhere: the entries are built in DIR.
    const second: string[] = [];
    expect((await train(parseCli(['--run', run, '--resume', '--cache', other]), deps(dir, second, 4))).exitCode).toBe(130);
    expect(second.join('\n')).toContain(`training patients: 3 preprocessed into ${other}, 0 read from it`);
    const otherAfter = entries(other);
    expect(Object.keys(otherAfter).sort()).toEqual(Object.keys(recordedBefore).sort());

    // Resumed there again (the older spelling, --resume RUN): read from DIR (no entry rewritten); the recorded cache never changed.
    const third: string[] = [];
    expect((await train(parseCli(['--resume', run, '--cache', other]), deps(dir, third, null))).exitCode).toBe(0);
    expect(third.join('\n')).toContain(`training patients: 0 preprocessed into ${other}, 3 read from it`);
    // Oversampling p=0.5 through the patch worker: its plan-ahead hook lets the 2nd step's batch be cut ahead.
    expect(third.join('\n')).toContain('patch look-ahead: 1 batch(es) cut while the previous step trained, 0 dropped');
    expect(entries(other)).toEqual(otherAfter);
    expect(entries(recorded)).toEqual(recordedBefore);
    expect(existsSync(path.join(data, '.lesionseg'))).toBe(false);
    // The override is for the invocation: the run still records its own cache folder.
    const saved = JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as { data: { cacheDir: string } };
    expect(path.resolve(run, saved.data.cacheDir)).toBe(recorded);
  });
});
