/**
 * `trainer:compare`: the paper's OHEM-vs-oversampling comparison (Figure 2 and Table 1).
 * Each configuration (x seed) is trained as a task of an executor (local child processes or a
 * Slurm job array) under the same budget, its best checkpoint evaluated on held-out patients
 * by the evaluator (a second batch of tasks), and everything gathered into curves, tables and
 * a report once every task has ended. The steps talk through files (run folders,
 * results.json), so each can be re-run alone (--skip-training) or finished later (--resume).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, runPath } from '@lesionseg/data';
import { UserError } from '@lesionseg/events';
import { patientFigures, readEvaluation, readRunFolder, writeCompareReport, type CompareEntry, type Evaluation } from '@lesionseg/report';
import {
  createExecutor,
  failureReport,
  LocalExecutor,
  type ChildRunner,
  type Executor,
  type ExecutorChoice,
  type Task,
  type TaskState,
} from '@lesionseg/executors';
import { DEFAULT_DATA_DIR, resolveUserPath, defaultRunDir } from '@lesionseg/trainer';
import type { CompareOptions } from './compare-args.ts';
import { CompareProgress, type ConfigState, type ProgressSink } from './progress.ts';
import { compareTasks, trainingFinished, type CompareTask } from './tasks.ts';

export interface CompareDeps {
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  /** How the local executor runs one task (a child process; tests pass a fake). */
  run: ChildRunner;
  log: (line: string) => void;
  /** Generates the default phantoms when --data is not given and they are absent. */
  generateDefaultData: (dir: string, config: Record<string, unknown>) => Promise<void>;
  /** The executor of a phase (default: local with `run`, or Slurm with its scripts in OUT/slurm). */
  executor?: (choice: ExecutorChoice, workDir: string, jobName: string) => Executor;
  now?: () => Date;
  /** Where the live progress block goes (default stderr). */
  progressOutput?: ProgressSink;
  /** Aborted on Ctrl-C / SIGTERM: the running phase's tasks are cancelled, nothing more starts. */
  signal?: AbortSignal;
}

export interface CompareResult {
  outDir: string;
  report: string;
  failed: string[];
}

/**
 * Smallest Dice difference an observation is judged on: below it, the verdict says the run
 * cannot tell (two configurations that both learned nothing differ by 0.0002 from one noisy
 * validation; calling that "held" would be a wrong answer).
 */
export const OBSERVATION_MARGIN_DICE = 0.01;

const verdict = (diff: number): string =>
  diff >= OBSERVATION_MARGIN_DICE ? 'held' : diff <= -OBSERVATION_MARGIN_DICE ? 'did not hold' : `cannot tell: less than ${OBSERVATION_MARGIN_DICE} Dice apart`;

function mean(xs: number[]): number | null {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/**
 * The paper's three observations, checked against this comparison's numbers; with seeds,
 * each configuration's value is the mean over its seeds (`configurationOf` names the group).
 */
export function observations(entries: readonly CompareEntry[], configurationOf: (runName: string) => string = (n) => n): string[] {
  const notes: string[] = [];
  const of = (name: string) => entries.filter((e) => configurationOf(e.run.name) === name);
  const ms = (prefix: string) =>
    mean(entries.filter((e) => e.run.name.startsWith(prefix) && e.run.msPerIteration !== null).map((e) => e.run.msPerIteration as number));
  const ohemMs = ms('ohem');
  const overMs = ms('oversample');
  if (ohemMs !== null && overMs !== null) {
    notes.push(
      `Time per iteration: OHEM ${ohemMs.toFixed(0)} ms, oversampling ${overMs.toFixed(0)} ms, ratio ${(ohemMs / overMs).toFixed(2)}x (paper: about 2x).`,
    );
  }
  const best = (name: string) => mean(of(name).flatMap((e) => (e.run.bestDice === null ? [] : [e.run.bestDice])));
  const m0 = best('ohem-m0');
  const mPos = [best('ohem-m0.9'), best('ohem-m0.99')].filter((x): x is number => x !== null);
  if (m0 !== null && mPos.length > 0) {
    const top = Math.max(...mPos);
    notes.push(
      `Best validation Dice, OHEM decay 0: ${m0.toFixed(3)}; decay > 0: ${top.toFixed(3)} (paper: decay > 0 reaches a higher plateau) -> ${verdict(top - m0)} here.`,
    );
  }
  const last = (name: string) =>
    mean(
      of(name).flatMap((e) => {
        const c = e.run.curve;
        return c.length > 0 ? [c[c.length - 1].dice] : [];
      }),
    );
  const names = [...new Set(entries.map((e) => configurationOf(e.run.name)))];
  const finals = names.map((name) => ({ name, dice: last(name) })).filter((x): x is { name: string; dice: number } => x.dice !== null);
  if (finals.length > 0) {
    const winner = finals.reduce((a, b) => (b.dice > a.dice ? b : a));
    const pPositive = (name: string) => name === 'oversample-p0.1' || name === 'oversample-p0.5';
    // Held when a p > 0 configuration leads the best of the others by the margin; did not hold when another leads it by as much.
    const bestOf = (inGroup: boolean) => Math.max(-1, ...finals.filter((f) => pPositive(f.name) === inGroup).map((f) => f.dice));
    const [pBest, otherBest] = [bestOf(true), bestOf(false)];
    const told = pBest < 0 || otherBest < 0 ? (pPositive(winner.name) ? 'held' : 'did not hold') : verdict(pBest - otherBest);
    notes.push(`Last validation Dice is highest for ${winner.name} (${winner.dice.toFixed(3)}); paper: oversampling with p > 0 ends best -> ${told} here.`);
  }
  return notes;
}

/** Run one phase's tasks on the executor, showing their states; the names of those that failed. */
async function runPhase(
  executor: Executor,
  phase: { tasks: CompareTask[]; jobs: Task[]; running: ConfigState; ended: ConfigState; what: string },
  progress: CompareProgress,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  if (phase.jobs.length === 0) return [];
  log(`${phase.what}: ${phase.jobs.length} task(s) on the ${executor.kind} executor`);
  const shown: Record<TaskState, ConfigState> = { pending: 'pending', running: phase.running, done: phase.ended, failed: 'failed' };
  const outcomes = await executor.runAll(phase.jobs, (i, state) => progress.setState(phase.tasks[i].name, shown[state]), { signal });
  if (signal?.aborted) {
    progress.stop();
    throw new UserError(`interrupted during ${phase.what}: its tasks were stopped (run folders kept; --resume finishes them)`);
  }
  for (const line of failureReport(outcomes)) log(`[${phase.what}] ${line}`);
  return outcomes.flatMap((outcome, i) => (outcome.state === 'failed' ? [phase.tasks[i].name] : []));
}

async function readBaseConfig(file: string): Promise<Record<string, unknown>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`--base-config ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`--base-config ${file}: must hold a JSON object (trainer config sections)`);
  return raw as Record<string, unknown>;
}

export async function compare(o: CompareOptions, deps: CompareDeps): Promise<CompareResult> {
  const root = deps.workspaceRoot;
  const outDir = o.out ? resolveUserPath(o.out, deps.env) : defaultRunDir(root, 'compare', deps.now?.() ?? new Date());
  const dataDir = o.data ? resolveUserPath(o.data, deps.env) : path.join(root, DEFAULT_DATA_DIR);
  const testData = o.testData ? resolveUserPath(o.testData, deps.env) : null;
  const tasks = compareTasks(o, outDir, o.baseConfig ? await readBaseConfig(resolveUserPath(o.baseConfig, deps.env)) : {});

  if (!o.data && !existsSync(path.join(dataDir, 'dataset.json'))) {
    deps.log(`no dataset in ${dataDir}: generating synthetic phantoms there (once)`);
    await deps.generateDefaultData(dataDir, tasks[0].config);
  } else if (!existsSync(dataDir)) {
    throw new UserError(`dataset folder ${dataDir} does not exist`);
  }
  if (testData && !existsSync(testData)) throw new UserError(`--test-data folder ${testData} does not exist`);
  await mkdir(outDir, { recursive: true });
  const seeds = o.seeds ? ` x seeds ${o.seeds.join(', ')}` : '';
  const at = o.executor.parallel ?? (o.executor.kind === 'local' ? 1 : null);
  deps.log(
    `comparison in ${outDir}: ${o.presets.join(', ')}${seeds}; ${o.iterations !== null ? `${o.iterations} iterations` : o.budget} of training each, scale ${o.scale}, ${o.executor.kind} executor${at === null ? '' : `, ${at} at a time`}`,
  );

  const executorOf =
    deps.executor ??
    ((choice: ExecutorChoice, workDir: string, jobName: string) =>
      choice.kind === 'local' ? new LocalExecutor(choice.parallel ?? 1, deps.run) : createExecutor(choice, { workDir, jobName, log: (line) => log(line) }));
  const slurmDir = path.join(outDir, 'slurm');
  const common = [...(o.backend ? ['--backend', o.backend] : [])];
  const trainerMain = path.join(root, 'apps/trainer/src/main.ts');
  const evaluateMain = path.join(root, 'apps/evaluator/src/evaluate-main.ts');

  const progress = new CompareProgress(
    tasks.map((t) => t.name),
    (name) => path.join(outDir, name),
    deps.progressOutput ?? { write: (t) => process.stderr.write(t), isTTY: process.stderr.isTTY === true },
  );
  const log = (line: string) => progress.log(line, deps.log);
  progress.start();
  const failed = new Set<string>();

  // Phase 1: training (with --resume only what did not finish, continuing from its checkpoints).
  const toTrain = o.skipTraining ? [] : o.resume ? tasks.filter((t) => !trainingFinished(t.runDir)) : tasks;
  if (o.resume) log(`--resume: ${tasks.length - toTrain.length} of ${tasks.length} trainings already finished`);
  const trainJobs: Task[] = [];
  for (const t of toTrain) {
    let args: string[];
    if (o.resume && existsSync(runPath(t.runDir, 'config'))) {
      args = ['--run', t.runDir, '--resume', ...common];
    } else {
      const configFile = path.join(outDir, 'configs', `${t.name}.json`);
      await writeFileAtomic(configFile, JSON.stringify(t.config, null, 2) + '\n');
      const seed = t.seed ?? o.seed;
      const budget = o.iterations !== null ? ['--iterations', String(o.iterations)] : ['--budget', o.budget];
      args = ['--config', configFile, '--data', dataDir, '--run', t.runDir, ...budget, ...common, ...(seed !== null ? ['--seed', String(seed)] : [])];
    }
    trainJobs.push({ label: `${t.name} training`, script: trainerMain, args, logFile: path.join(outDir, 'logs', `${t.name}-train.log`), cwd: root });
  }
  for (const name of await runPhase(
    executorOf(o.executor, slurmDir, 'lesionseg-train'),
    { tasks: toTrain, jobs: trainJobs, running: 'training', ended: 'trained', what: 'training' },
    progress,
    log,
    deps.signal,
  ))
    failed.add(name);

  // Phase 2: evaluation of every finished training (with --resume, those not evaluated yet).
  const toEvaluate: CompareTask[] = [];
  for (const t of tasks) {
    if (failed.has(t.name)) continue;
    if (!existsSync(t.runDir)) {
      failed.add(t.name);
      progress.setState(t.name, 'failed');
      log(`[${t.name}] no run folder ${t.runDir} (with --skip-training the runs must exist)`);
      continue;
    }
    if (o.resume && existsSync(runPath(t.runDir, 'results'))) {
      progress.setState(t.name, 'done');
      continue;
    }
    toEvaluate.push(t);
  }
  const evalJobs: Task[] = toEvaluate.map((t) => {
    const patients = testData ? [] : ['--patients', `${runPath(t.runDir, 'split')}:validation`];
    const args = ['--run', t.runDir, '--data', testData ?? dataDir, '--out', runPath(t.runDir, 'evaluation'), ...patients, ...common];
    return { label: `${t.name} evaluation`, script: evaluateMain, args, logFile: path.join(outDir, 'logs', `${t.name}-evaluate.log`), cwd: root };
  });
  const what = `evaluation on ${testData ? 'the test dataset' : 'each run’s validation patients'}`;
  for (const name of await runPhase(
    executorOf(o.executor, slurmDir, 'lesionseg-evaluate'),
    { tasks: toEvaluate, jobs: evalJobs, running: 'evaluating', ended: 'done', what },
    progress,
    log,
    deps.signal,
  ))
    failed.add(name);
  progress.stop();

  // The report, once every task has ended.
  const entries: CompareEntry[] = [];
  for (const t of tasks) {
    if (!existsSync(runPath(t.runDir, 'events'))) continue;
    const run = await readRunFolder(t.runDir, t.name);
    const results = runPath(t.runDir, 'results');
    const evaluation = existsSync(results) ? await readEvaluation(results) : null;
    entries.push({ run, evaluation });
  }
  const configurationOf = (name: string) => tasks.find((t) => t.name === name)?.preset ?? name;
  const evaluated = entries.filter((e): e is CompareEntry & { evaluation: Evaluation } => e.evaluation !== null);
  const best = evaluated.reduce<(typeof evaluated)[number] | null>(
    (a, b) => (a === null || b.evaluation.summary.withNewLesions.dice.mean > a.evaluation.summary.withNewLesions.dice.mean ? b : a),
    null,
  );
  const figures = best && o.figures > 0 ? await patientFigures(best.evaluation, { count: o.figures }) : [];
  const notes = observations(entries, configurationOf);
  const failedNames = tasks.map((t) => t.name).filter((n) => failed.has(n));
  if (failedNames.length > 0) notes.unshift(`Failed: ${failedNames.join(', ')} (see logs/; --resume finishes them).`);
  const report = await writeCompareReport(outDir, {
    entries,
    figures,
    figuresOf: best?.run.name,
    notes,
    configurationOf: o.seeds ? configurationOf : undefined,
    scoredOn: testData ? `the test dataset ${testData}` : 'each run’s validation patients (no --test-data)',
  });
  for (const n of notes) deps.log(n);
  deps.log(`report: ${report}`);
  return { outDir, report, failed: failedNames };
}
