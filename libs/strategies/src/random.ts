/**
 * The randomness a strategy consumes. The trainer owns one seeded generator (from the data
 * library, whose state is saved in checkpoints) and hands it to the strategy and the patch
 * source at every step, so that a resumed run draws exactly the patches the unsplit run would.
 */
export interface Random {
  /** A uniform draw in [0, 1). */
  next(): number;
}

/** A generator whose state can be saved in a checkpoint and restored. */
export interface StatefulRandom extends Random {
  getState(): unknown;
  setState(state: unknown): void;
}
