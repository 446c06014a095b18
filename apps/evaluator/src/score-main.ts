// Entry point of `npx nx run evaluator:score -- --gt PATH --pred PATH --out results.json`.
import { NiftiError } from '@lesionseg/data';
import { GridMismatchError, ScoreParamsError } from '@lesionseg/metrics';
import { SCORE_USAGE, UsageError, parseScoreArgs } from './score/args.ts';
import { InputError } from './score/inputs.ts';
import { runScore } from './score/run-score.ts';

// Under `npx nx run` this process runs in apps/evaluator; INIT_CWD (set by npm/npx) is the folder
// the user typed the command in, which is what relative paths mean to them.
const baseDir = process.env.INIT_CWD ?? process.cwd();

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseScoreArgs(process.argv.slice(2), baseDir);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n\n${SCORE_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (opts === 'help') {
    process.stdout.write(`${SCORE_USAGE}\n`);
    return 0;
  }
  try {
    const r = await runScore(opts);
    const w = r.summary.withNewLesions;
    const wo = r.summary.withoutNewLesions;
    const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));
    process.stderr.write(
      `scored ${r.patients.length} patient(s): ${w.nPatients} with new lesions (mean Dice ${fmt(w.dice.mean)}, F1 ${fmt(w.lesionF1.mean)}), ` +
        `${wo.nPatients} without (mean ${fmt(wo.nPredLesions.mean)} false lesions)\nwrote ${[opts.out, opts.csv, opts.md, opts.lesionsCsv].filter(Boolean).join(', ')}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof NiftiError || e instanceof GridMismatchError || e instanceof ScoreParamsError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
