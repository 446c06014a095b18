/**
 * Seeded pseudo-random numbers whose whole state is four 32-bit words, so it can be saved in a
 * checkpoint (JSON) and restored to replay exactly the same draws.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that nearby seeds
 * give unrelated streams. Not cryptographic; fast and statistically good for sampling.
 */

/** The minimal interface every sampling function takes: a uniform draw in [0, 1). */
export interface Random {
  next(): number;
}

/** Saved state of an {@link Rng}: four unsigned 32-bit integers. */
export type RngState = [number, number, number, number];

/** A seeded generator with saveable state. */
export interface Rng extends Random {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** A copy of the current state (JSON-serialisable). */
  state(): RngState;
  /** Same as {@link Rng.state}, under the name the trainer's checkpoint interface uses. */
  getState(): RngState;
  /** Restore a state from {@link Rng.state}; throws on anything else. */
  setState(state: unknown): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * Create a generator from an integer seed (any finite number; it is reduced to 32 bits after
 * mixing its high and low halves, so 1 and 2**32 + 1 differ).
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const mix = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2f));
  const s = new Uint32Array([mix(), mix(), mix(), mix()]);
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1; // the one forbidden state

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const state = (): RngState => [s[0], s[1], s[2], s[3]];
  return {
    next: () => nextUint32() / 4294967296,
    nextUint32,
    state,
    getState: state,
    setState(st: unknown) {
      if (!Array.isArray(st) || st.length !== 4 || !st.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff) || st.every((v) => v === 0)) {
        throw new Error(`Rng.setState: expected four uint32 words (not all zero), got ${JSON.stringify(st)}`);
      }
      s.set(st as number[]);
    },
  };
}

/** Uniform integer in [0, n). */
export function randInt(rng: Random, n: number): number {
  if (!(n >= 1)) throw new Error(`randInt: n must be >= 1, got ${n}`);
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

/** Uniform float in [lo, hi). */
export function uniform(rng: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Standard normal draw (Box-Muller; uses two uniforms and keeps no spare, so state stays 4 words). */
export function normal(rng: Random): number {
  const u = 1 - rng.next(); // (0, 1]
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * mulberry32 (Tommy Ettinger): one 32-bit word of state, a handful of operations per draw. The
 * UNet's weight initialisation, the tests' fakes and the benchmarks use it where a checkpointable
 * four-word {@link createRng} stream is not needed; written once, here.
 */
export class Mulberry32 implements Random {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  getState(): number {
    return this.s;
  }

  /** Restore a state from {@link Mulberry32.getState}; throws on anything but an integer. */
  setState(state: unknown): void {
    if (!Number.isInteger(state)) throw new Error(`Mulberry32.setState: expected an integer, got ${JSON.stringify(state)}`);
    this.s = (state as number) >>> 0;
  }
}

/** A mulberry32 stream from `seed`, as a function: each call is the next uniform draw in [0, 1). */
export function mulberry32(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}
