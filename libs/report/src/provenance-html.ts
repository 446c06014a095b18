/**
 * The report's provenance section: which lesionseg trained the run and wrote the evaluation and
 * the report (version, git commit), on which backend, from which checkpoint and weights, when,
 * and the SHA-256 of the run's files the report was made from.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { EVALUATION_FILES, RUN_FILES, sha256File, toolProvenance } from '@lesionseg/data';
import type { Evaluation } from './evaluation.ts';
import { escapeHtml } from './html.ts';
import type { RunSummary } from './run-folder.ts';

/** One input or output file named in results.json's provenance, with its checksum. */
export interface ProvenanceFile {
  patient: string;
  role: string;
  path: string;
  sha256: string;
}

export interface ProvenanceRow {
  what: string;
  value: string;
  /** Per-patient files with checksums (shown as a collapsed table under the row). */
  files?: ProvenanceFile[];
}

function flat(v: unknown): string {
  if (v === null || v === undefined) return 'n/a';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** { patient, gt, gtSha256, pred, predSha256, ... } -> one file per `<role>` with a `<role>Sha256`. */
function patientFiles(entries: readonly Record<string, unknown>[]): ProvenanceFile[] {
  return entries.flatMap((e) =>
    Object.keys(e)
      .filter((k) => k.endsWith('Sha256') && typeof e[k.slice(0, -'Sha256'.length)] === 'string')
      .map((k) => ({ patient: String(e.patient), role: k.slice(0, -'Sha256'.length), path: String(e[k.slice(0, -'Sha256'.length)]), sha256: String(e[k]) })),
  );
}

/**
 * results.json's provenance as readable rows: nested objects become one row per field
 * ("prediction · checkpoints 1 · weights"), a { name, version, commit } tool one row, and lists
 * of per-patient files one row whose files are tabulated (was one JSON blob per entry).
 */
function provenanceRows(prefix: string, v: unknown, rows: ProvenanceRow[]): void {
  if (Array.isArray(v) && v.length > 0 && v.every((e) => isRecord(e) && typeof e.patient === 'string')) {
    const files = patientFiles(v as Record<string, unknown>[]);
    rows.push({ what: prefix, value: `${files.length} files of ${v.length} patients, with their SHA-256 (click to show)`, files });
  } else if (Array.isArray(v)) {
    v.forEach((e, i) => provenanceRows(v.length === 1 ? prefix : `${prefix} ${i + 1}`, e, rows));
  } else if (isRecord(v) && typeof v.name === 'string' && 'version' in v && 'commit' in v) {
    rows.push({ what: prefix, value: `${v.name} ${flat(v.version)} (commit ${flat(v.commit)})` });
  } else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) provenanceRows(`${prefix} \u00b7 ${k}`, x, rows);
  } else rows.push({ what: prefix, value: flat(v) });
}

/** Files of a run folder whose checksums the report lists (those that exist), and every file of checkpoints/best. */
export const CHECKSUMMED_FILES = [RUN_FILES.config, RUN_FILES.split, RUN_FILES.events, RUN_FILES.results];

async function checksummed(dir: string): Promise<string[]> {
  const best = join(dir, RUN_FILES.best);
  const files = existsSync(best)
    ? (await readdir(best, { withFileTypes: true }))
        .filter((d) => d.isFile())
        .map((d) => join(RUN_FILES.best, d.name))
        .sort()
    : [];
  return [...CHECKSUMMED_FILES.filter((f) => existsSync(join(dir, f))), ...files];
}

/** evaluation.json, which evaluator:evaluate writes beside results.json (checkpoint, weights, backend, ...). */
async function evaluationSetup(resultsPath: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(join(dirname(resultsPath), EVALUATION_FILES.evaluation), 'utf8')) as Record<string, unknown>;
  } catch {
    return null; // scored by evaluator:score alone: no prediction set-up to show
  }
}

export async function runProvenance(run: RunSummary, evaluation: Evaluation | null | undefined, now: Date = new Date()): Promise<ProvenanceRow[]> {
  const rows: ProvenanceRow[] = [];
  const p = run.provenance ?? {};
  rows.push({
    what: 'training: lesionseg',
    value: p.version ? `${flat(p.version)} (commit ${flat(p.commit)})` : 'not recorded (events.jsonl from before provenance was logged)',
  });
  rows.push({ what: 'training: backend', value: flat(run.backend ?? p.backend) });
  rows.push({ what: 'training: started / last event', value: `${run.startedAt ?? 'n/a'} / ${run.endedAt ?? 'n/a'}` });
  rows.push({ what: 'best checkpoint', value: `checkpoints/best, chosen by the validation Dice of the ${run.validationModel ?? '?'} weights` });
  const setup = evaluation ? await evaluationSetup(evaluation.path) : null;
  if (setup) {
    const ck = typeof setup.checkpoint === 'string' ? relative(run.dir, resolve(dirname(evaluation?.path ?? ''), setup.checkpoint)) || '.' : 'n/a';
    rows.push({ what: 'evaluation: checkpoint and weights', value: `${ck} (relative to the run folder), ${flat(setup.weights)} weights` });
    rows.push({
      what: 'evaluation: backend, threshold, post-processing',
      value: `${flat(setup.backend)}, ${flat(setup.threshold)}, ${flat((setup.postprocess as { description?: unknown } | undefined)?.description ?? setup.postprocess)}`,
    });
  }
  const ev = evaluation?.provenance;
  if (ev && typeof ev === 'object') {
    for (const [k, v] of Object.entries(ev as Record<string, unknown>)) provenanceRows(`evaluation: ${k}`, v, rows);
  } else if (evaluation) {
    rows.push({ what: 'evaluation', value: 'results.json records no provenance' });
  }
  const me = toolProvenance();
  rows.push({ what: 'report: lesionseg', value: `${me.version} (commit ${me.commit}), written ${now.toISOString()}` });
  for (const f of await checksummed(run.dir)) rows.push({ what: `sha256 ${f}`, value: await sha256File(join(run.dir, f)) });
  return rows;
}

function filesHtml(r: ProvenanceRow & { files: ProvenanceFile[] }): string {
  const rows = r.files.map(
    (f) =>
      `<tr><td>${escapeHtml(f.patient)}</td><td>${escapeHtml(f.role)}</td><td><code>${escapeHtml(f.path)}</code></td><td><code>${escapeHtml(f.sha256)}</code></td></tr>`,
  );
  return `<details><summary>${escapeHtml(r.value)}</summary><table class="files"><thead><tr><th>patient</th><th>file</th><th>path</th><th>SHA-256</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

export function provenanceHtml(rows: readonly ProvenanceRow[]): string {
  const value = (r: ProvenanceRow) => (r.files ? filesHtml(r as ProvenanceRow & { files: ProvenanceFile[] }) : `<code>${escapeHtml(r.value)}</code>`);
  return `<table class="kv"><tbody>${rows.map((r) => `<tr><th>${escapeHtml(r.what)}</th><td>${value(r)}</td></tr>`).join('')}</tbody></table>`;
}
