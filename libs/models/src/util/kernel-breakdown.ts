/** Per-kernel totals of a `tf.profile` result: the one aggregation the profiling tools print (libs/models/src/webgpu/profile.ts, tools/bench/profile-kernels.ts, webgpu-bench.ts). */
export interface KernelRow {
  name: string;
  ms: number;
  calls: number;
  /** Fraction of all kernel time. */
  share: number;
}

/** Sums each kernel's time and calls, largest first (kernels without a timing count as 0 ms). */
export function kernelBreakdown(kernels: readonly { name: string; kernelTimeMs: unknown }[]): { rows: KernelRow[]; totalMs: number } {
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const a = byName.get(k.name) ?? { ms: 0, calls: 0 };
    a.ms += ms;
    a.calls++;
    byName.set(k.name, a);
  }
  const totalMs = [...byName.values()].reduce((s, a) => s + a.ms, 0);
  const rows = [...byName].map(([name, a]) => ({ name, ...a, share: a.ms / (totalMs || 1) })).sort((a, b) => b.ms - a.ms);
  return { rows, totalMs };
}
