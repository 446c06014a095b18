import { spawnSync } from 'node:child_process';

export interface SlurmProbe {
  ok: boolean;
  reason: string;
}

/**
 * Whether a Slurm controller answers here with an idle node (tests against the real Slurm that
 * tools/slurm/local-slurm.sh starts use it to skip, loudly, where there is none).
 */
export function probeSlurm(): SlurmProbe {
  const r = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return { ok: false, reason: `sinfo: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, reason: `sinfo exited ${r.status}: ${r.stderr.trim()}` };
  if (!/\b(idle|mix|alloc)\b/.test(r.stdout)) return { ok: false, reason: `no usable node (sinfo: ${r.stdout.trim() || 'nothing'})` };
  return { ok: true, reason: '' };
}

/** One unmissable line when a Slurm test file is skipped (CI logs must show it). */
export function skipSlurmLoudly(what: string, p: SlurmProbe): void {
  if (!p.ok) console.warn(`\n!!! SKIPPED ${what}: no local Slurm (${p.reason}). Start one: eval "$(tools/slurm/local-slurm.sh start)".\n`);
}
