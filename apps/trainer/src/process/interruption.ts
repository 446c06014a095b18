/** Exit codes of a run stopped by a signal (checkpoint saved): 128 + the signal's number. */
export const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface InterruptionActions {
  /** The first signal: stop at the next safe point and save checkpoints/latest. */
  stop(signal: string): void;
  /** A later, separate signal: the user insists; exit without saving. */
  abort(signal: string): void;
}

/**
 * What a SIGINT/SIGTERM means. One Ctrl-C or `kill -- -PGID` often arrives several times: once
 * from the process group, again from wrappers that relay it (tsx, npm, nx send SIGTERM after
 * SIGINT), and signals queued while a synchronous step ran are delivered back to back. Those
 * that come within `sameWithinMs` of the first are the same request; only a signal after that
 * aborts the save.
 */
export function interruptionHandler(actions: InterruptionActions, now: () => number = Date.now, sameWithinMs = 1000): (signal: string) => void {
  let first: number | null = null;
  return (signal) => {
    const t = now();
    if (first === null) {
      first = t;
      actions.stop(signal);
    } else if (t - first >= sameWithinMs) actions.abort(signal);
  };
}
