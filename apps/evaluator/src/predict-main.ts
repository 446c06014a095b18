// Entry point of `npx nx run evaluator:predict -- --checkpoint RUN_DIR --flair1 A --flair2 B --out SEG.nii.gz`.
import { runCli } from './cli-errors.ts';
import { createEvaluatorContainer, loadPostProcessors } from './container.ts';
import { PREDICT_USAGE, parsePredictArgs } from './predict/args.ts';
import { runPredict } from './predict/run-predict.ts';

// Under `npx nx run` this process runs in apps/evaluator; INIT_CWD is the folder the user typed
// the command in, which is what relative paths mean to them.
const baseDir = process.env.INIT_CWD ?? process.cwd();
const log = (line: string): void => void process.stderr.write(`${line}\n`);

runCli(PREDICT_USAGE, async () => {
  const opts = parsePredictArgs(process.argv.slice(2), baseDir);
  if (opts === 'help') return 'help';
  const c = createEvaluatorContainer({ minLesionMm3: opts.minLesionMm3, postProcessors: await loadPostProcessors(opts.plugins, baseDir) });
  const done = await runPredict(c, opts, { baseDir, log });
  for (const p of done) {
    if (p.skipped) continue; // already said while running: "<patient>: kept <file> (complete, same settings ...)"
    const removed = p.removedComponents > 0 ? `, post-processing removed ${p.removedComponents} component(s) / ${p.removedVoxels} voxels` : '';
    log(`${p.patient}: ${p.lesionVoxels} lesion voxels (${p.lesionVolumeMm3.toFixed(1)} mm3)${removed}, ${p.seconds.toFixed(1)} s -> ${p.mask}${p.probabilities ? ` + ${p.probabilities}` : ''}`);
  }
});
