import { sha256File, toolProvenance, type ToolProvenance } from '@lesionseg/data';
import type { ScorePair } from './inputs.ts';

/** results.json `provenance`: which lesionseg scored which files (by checksum), when; plus how the predictions were made when known. */
export interface ScoreProvenance {
  tool: ToolProvenance;
  date: string;
  /** SHA-256 of every scored mask. */
  files: { patient: string; gt: string; gtSha256: string; pred: string; predSha256: string }[];
  /** From evaluate: checkpoints, weights, backend, settings, input FLAIRs' checksums. */
  prediction?: Record<string, unknown>;
}

export async function scoreProvenance(pairs: readonly ScorePair[], prediction?: Record<string, unknown>): Promise<ScoreProvenance> {
  const files = [];
  for (const p of pairs) files.push({ patient: p.patient, gt: p.gt, gtSha256: await sha256File(p.gt), pred: p.pred, predSha256: await sha256File(p.pred) });
  return { tool: toolProvenance(), date: new Date().toISOString(), files, ...(prediction ? { prediction } : {}) };
}
