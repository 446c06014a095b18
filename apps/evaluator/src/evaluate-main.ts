// Entry point of `npx nx run evaluator:evaluate -- --checkpoint RUN_DIR --data DIR --out DIR`.
import { runCli } from './cli-errors.ts';
import { createEvaluatorContainer, loadPostProcessors } from './container.ts';
import { EVALUATE_USAGE, parseEvaluateArgs } from './evaluate/args.ts';
import { runEvaluate } from './evaluate/run-evaluate.ts';

const baseDir = process.env.INIT_CWD ?? process.cwd();
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));

runCli(EVALUATE_USAGE, async () => {
  const opts = parseEvaluateArgs(process.argv.slice(2), baseDir);
  if (opts === 'help') return 'help';
  const c = createEvaluatorContainer({ minLesionMm3: opts.minLesionMm3, postProcessors: await loadPostProcessors(opts.plugins, baseDir) });
  const { results } = await runEvaluate(c, opts, { baseDir, log });
  const w = results.summary.withNewLesions;
  const wo = results.summary.withoutNewLesions;
  log(
    `evaluated ${results.patients.length} patient(s): ${w.nPatients} with new lesions (mean Dice ${fmt(w.dice.mean)}, lesion F1 ${fmt(w.lesionF1.mean)}), ` +
      `${wo.nPatients} without (mean ${fmt(wo.nPredLesions.mean)} false lesions)\nwrote ${opts.out}/{predictions/,results.json,results.csv,table.md,lesions.csv,evaluation.json}`,
  );
});
