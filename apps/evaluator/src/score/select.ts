import { selectPatients } from '../predict/patients.ts';
import type { ScoreCliOptions } from './args.ts';
import type { PatientFilter } from './inputs.ts';

/**
 * `score --patients SPEC`: the same selections as predict and evaluate (validation / train of a
 * run's split.json, FILE.json[:KEY], id1,id2,...), applied to the ground-truth folder's patients.
 * undefined when every patient is scored. A FILE.json in the spec is already absolute (parseScoreArgs).
 */
export function scorePatientFilter(opts: Pick<ScoreCliOptions, 'patients' | 'run'>): PatientFilter | undefined {
  const spec = opts.patients;
  if (spec === null) return undefined;
  return async (ids) => {
    const { patients } = await selectPatients(
      ids.map((id) => ({ id })),
      spec,
      { runDir: opts.run, baseDir: '/', noRunDir: 'score was given no --run RUN_DIR' },
    );
    return patients.map((p) => p.id);
  };
}
