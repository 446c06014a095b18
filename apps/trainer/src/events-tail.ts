import { existsSync, readFileSync, truncateSync } from 'node:fs';

/**
 * Before a resumed run appends to RUN_DIR/events.jsonl. A disk full or power loss can leave a
 * torn last line (no newline); appending to it would corrupt two events, so it is cut off.
 * Steps logged after the checkpoint being resumed (by a run killed before its next save) are
 * cut too, with what followed them: the resumed run logs those iterations again, so the log
 * reads as one continuous run.
 * Returns warnings for the user.
 */
export function prepareEventsForResume(file: string, checkpointIteration: number): string[] {
  if (!existsSync(file)) return [];
  const bytes = readFileSync(file);
  const warnings: string[] = [];
  let keep = bytes.length;
  if (keep > 0 && bytes[keep - 1] !== 0x0a) {
    keep = bytes.lastIndexOf(0x0a) + 1;
    warnings.push(`${file}: removed a torn last line (${bytes.length - keep} bytes without a newline, from an interrupted write)`);
  }
  // The end of the checkpointSaved line of the checkpoint being resumed, when there is one.
  let cut: number | null = null;
  let dropped = 0;
  for (let start = 0; start < keep;) {
    const end = bytes.indexOf(0x0a, start) + 1;
    const line = bytes.subarray(start, end).toString('utf8');
    if (cut !== null && line.includes('"stepDone"')) dropped++;
    if (line.includes('"checkpointSaved"')) {
      try {
        const e = JSON.parse(line) as { type?: string; kind?: string; iteration?: number };
        if (e.type === 'checkpointSaved' && e.kind !== 'best' && e.iteration === checkpointIteration) [cut, dropped] = [end, 0];
      } catch {
        // a corrupt line in the middle is left for the reader to report
      }
    }
    start = end;
  }
  if (cut !== null && dropped > 0) {
    warnings.push(
      `${file}: cut the events of ${dropped} step(s) logged after the checkpoint at iteration ${checkpointIteration}; the resumed run repeats those iterations`,
    );
    keep = cut;
  }
  if (keep < bytes.length) truncateSync(file, keep);
  return warnings;
}
