/**
 * Reads an evaluation folder written by `evaluator:evaluate` / `evaluator:score`:
 * results.json (the contract of the score command; NaN is written as null there).
 */
import { readFile } from 'node:fs/promises';
import type { CohortSummary, MeanSem, PatientScore } from '@lesionseg/metrics';

/** One patient of results.json: the score command's fields that the reports use. */
export type EvaluatedPatient = Pick<
  PatientScore,
  'gtEmpty' | 'dice' | 'lesionSensitivity' | 'lesionPpv' | 'lesionF1' | 'nGtLesions' | 'nPredLesions' | 'gtLesions' | 'predLesions'
> &
  Partial<Pick<PatientScore, 'gtLesionVolumeMm3' | 'predLesionVolumeMm3' | 'gtVoxels' | 'predVoxels' | 'voxelVolumeMm3'>> & {
    patient: string;
    gtFile?: string;
    predFile?: string;
  };

export interface Evaluation {
  path: string;
  patients: EvaluatedPatient[];
  summary: CohortSummary;
  /** What the score command recorded about itself and its inputs (results.json `provenance`), if anything. */
  provenance?: unknown;
}

function meanSemFromJson(v: unknown): MeanSem {
  const o = (v ?? {}) as Record<string, number | null>;
  const num = (x: number | null | undefined) => (typeof x === 'number' ? x : Number.NaN);
  return { mean: num(o.mean), sem: num(o.sem), n: o.n ?? 0, nNaN: o.nNaN ?? 0 };
}

export function parseEvaluation(text: string, path: string): Evaluation {
  let doc: { patients?: EvaluatedPatient[]; summary?: Record<string, Record<string, unknown>>; provenance?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(doc.patients) || !doc.summary?.withNewLesions || !doc.summary.withoutNewLesions) {
    throw new Error(`${path}: not a results.json of evaluator:score (needs "patients" and "summary")`);
  }
  const w = doc.summary.withNewLesions;
  const wo = doc.summary.withoutNewLesions;
  return {
    path,
    patients: doc.patients,
    provenance: doc.provenance,
    summary: {
      withNewLesions: {
        nPatients: Number(w.nPatients ?? 0),
        dice: meanSemFromJson(w.dice),
        lesionSensitivity: meanSemFromJson(w.lesionSensitivity),
        lesionPpv: meanSemFromJson(w.lesionPpv),
        lesionF1: meanSemFromJson(w.lesionF1),
      },
      withoutNewLesions: {
        nPatients: Number(wo.nPatients ?? 0),
        nPredLesions: meanSemFromJson(wo.nPredLesions),
        predLesionVolumeMm3: meanSemFromJson(wo.predLesionVolumeMm3),
      },
    },
  };
}

export async function readEvaluation(resultsJsonPath: string): Promise<Evaluation> {
  let text: string;
  try {
    text = await readFile(resultsJsonPath, 'utf8');
  } catch (error) {
    throw new Error(`${resultsJsonPath}: cannot read results (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseEvaluation(text, resultsJsonPath);
}
