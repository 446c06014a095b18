/**
 * docs/plugins.md, "outside the repository": a strategy module in a folder of the user's own,
 * named by the config ("plugins", relative to the config file), and a hook module given with
 * --plugin (relative to the user's folder), trained through the real trainer entry (node
 * --import tsx src/main.ts) on a tiny model. Neither file can import lesionseg at run time: the
 * strategy takes the option kit as its default export's argument.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, startTrainer, tinySetup } from './process-harness.ts';

const STRATEGY = `import type { PluginKit } from '@lesionseg/config';
import type { MinedBatch, PatchSource, StepContext } from '@lesionseg/strategies';

// Every patch uniform: the simplest strategy there is, with one option.
export default (kit: PluginKit) => ({
  strategies: [
    kit.definePlugin({
      type: 'all-uniform',
      summary: 'uniform patches only',
      options: { batchSize: kit.num({ default: 2, integer: true, min: 1 }) },
      create: (o, deps: { source: PatchSource }) => ({
        name: 'all-uniform',
        async nextBatch(ctx: StepContext): Promise<MinedBatch> {
          const batch = await deps.source.sample(Array.from({ length: o.batchSize }, () => 'uniform' as const), ctx.random);
          const stats = { candidates: o.batchSize, selected: o.batchSize, positiveCandidates: 0, positiveSelected: 0, meanCandidateLoss: null, meanSelectedLoss: null };
          return { batch, mined: { strategy: 'all-uniform', ...stats } };
        },
      }),
    }),
  ],
  // A schedule without an "initialLr" option: Adam starts at its lrAt(0).
  lrSchedules: [kit.definePlugin({ type: 'constant', summary: 'one rate throughout', options: { rate: kit.num({ above: 0 }) }, create: (o) => ({ lrAt: () => o.rate }) })],
});
`;

const HOOK = `export const hooks = [
  {
    type: 'step-log',
    summary: 'appends each iteration to RUN_DIR/steps.txt',
    create: (_o: unknown, deps: { runDir: string }) => ({
      name: 'step-log',
      async afterStep(ctx: { iteration: number }) {
        const { appendFileSync } = await import('node:fs');
        appendFileSync(deps.runDir + '/steps.txt', ctx.iteration + '\\n');
      },
    }),
  },
];
`;

describe('plugins from files outside the repository', () => {
  it('trains three iterations with a strategy and a schedule named by the config and a hook given with --plugin', async () => {
    const { dir, config } = await tinySetup(3);
    expect(path.relative(ROOT, dir).startsWith('..')).toBe(true);
    writeFileSync(path.join(dir, 'my-strategy.ts'), STRATEGY);
    writeFileSync(path.join(dir, 'step-log.ts'), HOOK);
    const raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      config,
      JSON.stringify({
        ...raw,
        plugins: ['./my-strategy.ts'],
        strategy: { type: 'all-uniform', batchSize: 2 },
        lrSchedule: { type: 'constant', rate: 0.02 },
        hooks: [{ type: 'step-log' }],
      }),
    );
    const out = path.join(dir, 'run');
    const run = startTrainer('node --import tsx', ['--config', config, '--out', out, '--plugin', 'step-log.ts'], { INIT_CWD: dir });
    const code = await run.exit;
    expect(code, run.output()).toBe(0);
    const events = readFileSync(path.join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const mined = events.filter((e) => e['type'] === 'batchMined');
    const steps = events.filter((e) => e['type'] === 'stepDone');
    expect(steps.map((e) => [e['lr'], Number.isFinite(e['loss'])])).toEqual([
      [0.02, true],
      [0.02, true],
      [0.02, true],
    ]);
    expect(mined.map((e) => [e['iteration'], e['strategy'], e['selected']])).toEqual([
      [0, 'all-uniform', 2],
      [1, 'all-uniform', 2],
      [2, 'all-uniform', 2],
    ]);
    expect(readFileSync(path.join(out, 'steps.txt'), 'utf8')).toBe('1\n2\n3\n');
    // config.json records both modules by absolute path, so --resume finds them again
    const written = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { plugins: string[] };
    expect(written.plugins).toEqual([path.join(dir, 'my-strategy.ts'), path.join(dir, 'step-log.ts')]);
    expect(existsSync(path.join(out, 'checkpoints', 'latest'))).toBe(true);
  }, 120_000);

  it('a missing plugin file and a type clashing with a built-in fail before anything is written, naming the file', async () => {
    const { dir, config } = await tinySetup(3);
    writeFileSync(path.join(dir, 'clash.ts'), `export const strategies = [{ type: 'ohem', create: () => ({}) }];\n`);
    for (const [file, message] of [
      ['nope.ts', `lesionseg train: plugin ${path.join(dir, 'nope.ts')}: no such file ("nope.ts", relative to ${dir})`],
      ['clash.ts', `lesionseg train: plugin ${path.join(dir, 'clash.ts')}: strategy "ohem" clashes with the built-in strategy of that name`],
    ]) {
      const out = path.join(dir, `run-${file}`);
      const run = startTrainer('node --import tsx', ['--config', config, '--out', out, '--plugin', file], { INIT_CWD: dir });
      expect(await run.exit).toBe(1);
      expect(run.output()).toContain(message);
      expect(existsSync(out)).toBe(false);
    }
  }, 120_000);
});
