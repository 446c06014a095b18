/**
 * `trainer:compare`: the paper's OHEM-vs-oversampling comparison (Figure 2 and Table 1).
 * Each configuration is trained in its own process under the same wall-clock budget, its best
 * checkpoint evaluated on held-out patients by the evaluator, and everything gathered into
 * curves, tables and a report. The steps are separate processes talking through files (run
 * folders, results.json), so each can be re-run alone (--skip-training).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@lesionseg/data';
import { patientFigures, readEvaluation, readRunFolder, writeCompareReport, type CompareEntry, type Evaluation } from '@lesionseg/report';
import { runPool, type ChildRunner } from '@lesionseg/executors';
import { DEFAULT_DATA_DIR, resolveUserPath, defaultRunDir } from '@lesionseg/trainer';
import type { CompareOptions } from './compare-args.ts';
import { comparisonConfig } from './compare-configs.ts';
import { CompareProgress, type ConfigState, type ProgressSink } from './progress.ts';
import { UserError } from '@lesionseg/events';

export interface CompareDeps {
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  run: ChildRunner;
  log: (line: string) => void;
  /** Generates the default phantoms when --data is not given and they are absent. */
  generateDefaultData: (dir: string, config: Record<string, unknown>) => Promise<void>;
  now?: () => Date;
  /** Where the live progress block goes (default stderr). */
  progressOutput?: ProgressSink;
}

export interface CompareResult {
  outDir: string;
  report: string;
  failed: string[];
}

function mean(xs: number[]): number | null {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** The paper's three observations, checked against this comparison's numbers. */
export function observations(entries: readonly CompareEntry[]): string[] {
  const notes: string[] = [];
  const byName = new Map(entries.map((e) => [e.run.name, e]));
  const ms = (prefix: string) => mean(entries.filter((e) => e.run.name.startsWith(prefix) && e.run.msPerIteration !== null).map((e) => e.run.msPerIteration as number));
  const ohemMs = ms('ohem');
  const overMs = ms('oversample');
  if (ohemMs !== null && overMs !== null) {
    notes.push(`Time per iteration: OHEM ${ohemMs.toFixed(0)} ms, oversampling ${overMs.toFixed(0)} ms, ratio ${(ohemMs / overMs).toFixed(2)}x (paper: about 2x).`);
  }
  const best = (name: string) => byName.get(name)?.run.bestDice ?? null;
  const m0 = best('ohem-m0');
  const mPos = [best('ohem-m0.9'), best('ohem-m0.99')].filter((x): x is number => x !== null);
  if (m0 !== null && mPos.length > 0) {
    const top = Math.max(...mPos);
    notes.push(`Best validation Dice, OHEM decay 0: ${m0.toFixed(3)}; decay > 0: ${top.toFixed(3)} (paper: decay > 0 reaches a higher plateau) -> ${top > m0 ? 'held' : 'did not hold'} here.`);
  }
  const last = (name: string) => {
    const c = byName.get(name)?.run.curve ?? [];
    return c.length > 0 ? c[c.length - 1].dice : null;
  };
  const finals = entries.map((e) => ({ name: e.run.name, dice: last(e.run.name) })).filter((x): x is { name: string; dice: number } => x.dice !== null);
  if (finals.length > 0) {
    const winner = finals.reduce((a, b) => (b.dice > a.dice ? b : a));
    const pPos = winner.name === 'oversample-p0.1' || winner.name === 'oversample-p0.5';
    notes.push(`Last validation Dice is highest for ${winner.name} (${winner.dice.toFixed(3)}); paper: oversampling with p > 0 ends best -> ${pPos ? 'held' : 'did not hold'} here.`);
  }
  return notes;
}

export async function compare(o: CompareOptions, deps: CompareDeps): Promise<CompareResult> {
  const root = deps.workspaceRoot;
  const outDir = o.out ? resolveUserPath(o.out, deps.env) : defaultRunDir(root, 'compare', deps.now?.() ?? new Date());
  const dataDir = o.data ? resolveUserPath(o.data, deps.env) : path.join(root, DEFAULT_DATA_DIR);
  const testData = o.testData ? resolveUserPath(o.testData, deps.env) : null;
  const configs = o.presets.map((name) => ({ name, config: comparisonConfig(name, o.scale) }));

  if (!o.data && !existsSync(path.join(dataDir, 'dataset.json'))) {
    deps.log(`no dataset in ${dataDir}: generating synthetic phantoms there (once)`);
    await deps.generateDefaultData(dataDir, configs[0].config);
  } else if (!existsSync(dataDir)) {
    throw new UserError(`dataset folder ${dataDir} does not exist`);
  }
  if (testData && !existsSync(testData)) throw new UserError(`--test-data folder ${testData} does not exist`);
  await mkdir(outDir, { recursive: true });
  deps.log(`comparison in ${outDir}: ${o.presets.join(', ')}; ${o.budget} of training each, scale ${o.scale}, ${o.parallel} at a time`);

  const failed: string[] = [];
  const trainerMain = path.join(root, 'apps/trainer/src/main.ts');
  const evaluateMain = path.join(root, 'apps/evaluator/src/evaluate-main.ts');
  const common = [...(o.backend ? ['--backend', o.backend] : [])];

  const progress = new CompareProgress(o.presets, (name) => path.join(outDir, name), deps.progressOutput ?? { write: (t) => process.stderr.write(t), isTTY: process.stderr.isTTY === true });
  const log = (line: string) => progress.log(line, deps.log);
  progress.start();
  await runPool(configs, o.parallel, async ({ name, config }) => {
    const runDir = path.join(outDir, name);
    const state = (s: ConfigState) => progress.setState(name, s);
    state('training');
    if (!o.skipTraining) {
      const configFile = path.join(outDir, 'configs', `${name}.json`);
      await writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n');
      const logFile = path.join(outDir, 'logs', `${name}-train.log`);
      log(`[${name}] training (log: ${logFile})`);
      const args = ['--config', configFile, '--data', dataDir, '--run', runDir, '--budget', o.budget, ...common, ...(o.seed !== null ? ['--seed', String(o.seed)] : [])];
      const r = await deps.run({ label: `${name} training`, script: trainerMain, args, logFile, cwd: root });
      if (r.exitCode !== 0) {
        failed.push(name);
        state('failed');
        log(`[${name}] training failed (exit ${r.exitCode}):\n  ${r.tail.join('\n  ')}`);
        return;
      }
      log(`[${name}] trained in ${(r.ms / 60_000).toFixed(1)} min`);
    }
    if (!existsSync(runDir)) {
      failed.push(name);
      state('failed');
      log(`[${name}] no run folder ${runDir} (with --skip-training the runs must exist)`);
      return;
    }
    const patients = testData ? [] : ['--patients', `${path.join(runDir, 'split.json')}:validation`];
    const args = ['--run', runDir, '--data', testData ?? dataDir, '--out', path.join(runDir, 'evaluation'), ...patients, ...common];
    log(`[${name}] evaluating the best checkpoint on ${testData ? 'the test dataset' : 'its validation patients'}`);
    state('evaluating');
    const r = await deps.run({ label: `${name} evaluation`, script: evaluateMain, args, logFile: path.join(outDir, 'logs', `${name}-evaluate.log`), cwd: root });
    if (r.exitCode !== 0) {
      failed.push(name);
      state('failed');
      log(`[${name}] evaluation failed (exit ${r.exitCode}):\n  ${r.tail.join('\n  ')}`);
      return;
    }
    state('done');
  });
  progress.stop();

  const entries: CompareEntry[] = [];
  for (const { name } of configs) {
    const runDir = path.join(outDir, name);
    if (!existsSync(path.join(runDir, 'events.jsonl'))) continue;
    const run = await readRunFolder(runDir, name);
    const results = path.join(runDir, 'evaluation', 'results.json');
    const evaluation = existsSync(results) ? await readEvaluation(results) : null;
    entries.push({ run, evaluation });
  }
  const evaluated = entries.filter((e): e is CompareEntry & { evaluation: Evaluation } => e.evaluation !== null);
  const best = evaluated.reduce<(typeof evaluated)[number] | null>((a, b) => (a === null || b.evaluation.summary.withNewLesions.dice.mean > a.evaluation.summary.withNewLesions.dice.mean ? b : a), null);
  const figures = best && o.figures > 0 ? await patientFigures(best.evaluation, { count: o.figures }) : [];
  const notes = observations(entries);
  if (failed.length > 0) notes.unshift(`Failed: ${failed.join(', ')} (see logs/).`);
  const report = await writeCompareReport(outDir, { entries, figures, figuresOf: best?.run.name, notes });
  for (const n of notes) deps.log(n);
  deps.log(`report: ${report}`);
  return { outDir, report, failed };
}
