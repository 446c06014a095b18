/**
 * The evaluator's commands (`lesionseg predict|evaluate|score|export`, and the Nx targets
 * evaluator:predict, ...): spec and help from the *\/args.ts files, the work loaded only when a
 * command runs, so that `lesionseg --help` stays fast.
 */
import { attachPatientProgress, type Command } from '@lesionseg/cli';
import { createBus } from '@lesionseg/events';
import { EVALUATE_SPEC, evaluateOptions } from '../evaluate/args.ts';
import { EXPORT_SPEC, exportOptions } from '../export/args.ts';
import { PREDICT_SPEC, predictOptions } from '../predict/args.ts';
import { SCORE_SPEC, scoreOptions } from '../score/args.ts';

const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));

async function releaseGpu(): Promise<void> {
  // Dawn's native GPU object would keep the process alive after the work is done.
  await (await import('../release-gpu.ts')).releaseGpu();
}

export const predictCommand: Command = {
  ...PREDICT_SPEC,
  cleanup: releaseGpu,
  async run({ values, cwd, log, quiet, interruptSignal }) {
    const opts = predictOptions(values, cwd);
    if (opts.mode === 'dataset' && opts.parts) {
      const { predictInParts } = await import('../predict/run-parts.ts');
      const data = { path: opts.data, requireGroundTruth: false };
      await predictInParts(values, { parts: opts.parts, data, predictionsDir: opts.out, workDir: opts.out, cwd, log, signal: interruptSignal() });
      log(`wrote ${opts.out}/<patient>.nii.gz (${opts.parts.count} part(s))`);
      return;
    }
    const [{ createEvaluatorContainer, loadPostProcessors, resolveBus }, { runPredict }] = await Promise.all([
      import('../container.ts'),
      import('../predict/run-predict.ts'),
    ]);
    const c = createEvaluatorContainer({ minLesionMm3: opts.minLesionMm3, postProcessors: await loadPostProcessors(opts.plugins, cwd) });
    attachPatientProgress(resolveBus(c), { enabled: !quiet });
    const done = await runPredict(c, opts, { baseDir: cwd, log });
    for (const p of done) {
      if (p.skipped) continue; // already said while running: "<patient>: kept <file> (complete, same settings ...)"
      const removed = p.removedComponents > 0 ? `, post-processing removed ${p.removedComponents} component(s) / ${p.removedVoxels} voxels` : '';
      log(
        `${p.patient}: ${p.lesionVoxels} lesion voxels (${p.lesionVolumeMm3.toFixed(1)} mm3)${removed}, ${p.seconds.toFixed(1)} s -> ${p.mask}${p.probabilities ? ` + ${p.probabilities}` : ''}`,
      );
    }
  },
};

export const evaluateCommand: Command = {
  ...EVALUATE_SPEC,
  cleanup: releaseGpu,
  async run({ values, cwd, log, quiet, interruptSignal }) {
    const opts = evaluateOptions(values, cwd);
    if (opts.parts) {
      // The parts predict into OUT/predictions; the scoring below keeps their (complete) masks.
      const [{ predictInParts }, { evaluationPredictions }] = await Promise.all([import('../predict/run-parts.ts'), import('../evaluate/run-evaluate.ts')]);
      const predictionsDir = evaluationPredictions(opts.out);
      const data = { path: opts.data, requireGroundTruth: true };
      await predictInParts(values, { parts: opts.parts, data, predictionsDir, workDir: opts.out, cwd, log, signal: interruptSignal() });
    }
    const [{ createEvaluatorContainer, loadPostProcessors, resolveBus }, { runEvaluate }] = await Promise.all([
      import('../container.ts'),
      import('../evaluate/run-evaluate.ts'),
    ]);
    const c = createEvaluatorContainer({ minLesionMm3: opts.minLesionMm3, postProcessors: await loadPostProcessors(opts.plugins, cwd) });
    attachPatientProgress(resolveBus(c), { enabled: !quiet });
    const { results } = await runEvaluate(c, opts, { baseDir: cwd, log });
    const w = results.summary.withNewLesions;
    const wo = results.summary.withoutNewLesions;
    log(
      `evaluated ${results.patients.length} patient(s): ${w.nPatients} with new lesions (mean Dice ${fmt(w.dice.mean)}, lesion F1 ${fmt(w.lesionF1.mean)}), ` +
        `${wo.nPatients} without (mean ${fmt(wo.nPredLesions.mean)} false lesions)\nwrote ${opts.out}/{predictions/,results.json,results.csv,table.md,lesions.csv,evaluation.json}`,
    );
  },
};

export const scoreCommand: Command = {
  ...SCORE_SPEC,
  async run({ values, cwd, log, quiet }) {
    const opts = scoreOptions(values, cwd);
    const { runScore } = await import('../score/run-score.ts');
    const bus = createBus();
    attachPatientProgress(bus, { enabled: !quiet });
    const r = await runScore(opts, bus);
    const w = r.summary.withNewLesions;
    const wo = r.summary.withoutNewLesions;
    log(
      `scored ${r.patients.length} patient(s): ${w.nPatients} with new lesions (mean Dice ${fmt(w.dice.mean)}, F1 ${fmt(w.lesionF1.mean)}), ` +
        `${wo.nPatients} without (mean ${fmt(wo.nPredLesions.mean)} false lesions)\nwrote ${[opts.out, opts.csv, opts.md, opts.lesionsCsv].filter(Boolean).join(', ')}`,
    );
  },
};

export const exportCommand: Command = {
  ...EXPORT_SPEC,
  async run({ values, cwd, log }) {
    const opts = exportOptions(values, cwd);
    await (await import('../export/run-export.ts')).runExport(opts, log);
  },
};

export const EVALUATOR_COMMANDS: readonly Command[] = [predictCommand, evaluateCommand, scoreCommand, exportCommand];
