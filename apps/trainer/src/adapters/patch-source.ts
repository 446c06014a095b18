import {
  createRng,
  extractBatch,
  hasPositives,
  samplePatch,
  type ExtractedBatch,
  type PatchSpec,
  type PreprocessedPatient,
  type SamplingTarget,
} from '@lesionseg/data';
import type { PatchBatch, PatchKind, PatchSource, Random, SamplePlanner } from '@lesionseg/strategies';

/** Cuts the batch of drawn patches: in memory (extractBatch) or from the cache (a ChunkStore or its worker thread). */
export type ExtractPatches<P extends SamplingTarget> = (specs: PatchSpec<P>[]) => Promise<ExtractedBatch>;

/** A batch prepared ahead: the draws a call with `kinds` would make from generator state `start`. */
interface Lookahead<P extends SamplingTarget> {
  kinds: readonly PatchKind[];
  start: unknown;
  end: unknown;
  specs: PatchSpec<P>[];
  batch: Promise<ExtractedBatch>;
}

/** Most draws the strategy may take between two calls for the look-ahead to follow it. */
const MAX_GAP = 1024;

/**
 * Patches from the training patients, through the data library's primitives: a uniform patch
 * picks a patient uniformly, then a position; a positive patch picks a patient with new lesions,
 * then one of its lesion voxels, placed at a random position inside the patch. When no training
 * patient has a new lesion, positive requests are served as uniform patches (and
 * `drawnPositive` says so), rather than failing the run.
 *
 * Look-ahead (`lookahead: true`, with an extractor off the main thread): after serving a call,
 * the source draws the next call's patches on a copy of the generator and asks the extractor
 * for them at once, so they are read and cut while the step trains. The next call's kinds and
 * the strategy's draws before it come from the strategy's plan-ahead hook when it has one
 * ({@link planAheadWith}: exact, so every call after the first hits, oversampling with
 * 0 < p < 1 included); without one they are guessed: the same kinds and the same number of
 * draws in between as last time (fixed kinds hit from the third call on, drawn kinds miss).
 * The next call uses the prepared patches only when its kinds and generator state are exactly
 * the ones assumed (then the draws are the same by construction, and the generator is moved to
 * where they leave it); otherwise they are dropped and the call draws as usual. Either way the
 * patches are those of a run without it, bit for bit.
 */
export class DataPatchSource<P extends SamplingTarget = PreprocessedPatient> implements PatchSource {
  private readonly anyPositive: boolean;
  private ahead: Lookahead<P> | null = null;
  private lastEnd: unknown = null;
  private planner: SamplePlanner | null = null;
  /** Calls served from the look-ahead / calls that had one and could not use it. */
  readonly lookaheadStats = { hits: 0, misses: 0 };

  constructor(
    private readonly patients: readonly P[],
    private readonly size: number,
    private readonly extract: ExtractPatches<P> = (specs) => Promise.resolve(extractBatch(specs as unknown as PatchSpec[])),
    private readonly lookahead = false,
  ) {
    if (patients.length === 0) throw new Error('no training patients');
    this.anyPositive = patients.some(hasPositives);
  }

  /** The strategy's plan-ahead hook: the next call's kinds and the draws before it, exactly. */
  planAheadWith(planner: SamplePlanner): void {
    this.planner = planner;
  }

  private draw(kinds: readonly PatchKind[], random: Random): PatchSpec<P>[] {
    return kinds.map((kind) => samplePatch(random, this.patients, kind === 'positive' && this.anyPositive ? 'positive' : 'uniform', this.size));
  }

  async sample(kinds: readonly PatchKind[], random: Random): Promise<PatchBatch> {
    const rng = stateful(random);
    const start = rng?.getState() ?? null;
    const ahead = this.ahead;
    this.ahead = null;
    let specs: PatchSpec<P>[];
    let pending: Promise<ExtractedBatch>;
    if (ahead && rng && sameKinds(ahead.kinds, kinds) && sameState(ahead.start, start)) {
      specs = ahead.specs;
      pending = ahead.batch;
      rng.setState(ahead.end);
      this.lookaheadStats.hits++;
    } else {
      if (ahead) this.lookaheadStats.misses++;
      specs = this.draw(kinds, random);
      pending = this.extract(specs);
    }
    if (this.lookahead && rng) this.prepareNext(kinds, start, rng.getState());
    const b = await pending;
    return {
      images: b.images,
      masks: b.masks,
      count: b.count,
      shape: [this.size, this.size, this.size],
      channels: 2,
      drawnPositive: Uint8Array.from(specs, (s) => (s.kind === 'positive' ? 1 : 0)),
      containsLesion: b.containsLesion,
    };
  }

  /** Draws the planned (or guessed) next call on a copy of the generator and starts cutting it. */
  private prepareNext(kinds: readonly PatchKind[], start: unknown, end: unknown): void {
    const copy = createRng(0);
    copy.setState(end);
    let next: readonly PatchKind[];
    if (this.planner) {
      next = [...this.planner.planNextSample(copy)];
    } else {
      const gap = this.lastEnd === null ? null : drawsBetween(this.lastEnd, start);
      this.lastEnd = end;
      if (gap === null) return;
      for (let k = 0; k < gap; k++) copy.next();
      next = [...kinds];
    }
    if (next.length === 0) return;
    const aheadStart = copy.getState();
    const specs = this.draw(next, copy);
    const batch = this.extract(specs);
    batch.catch(() => {}); // a look-ahead never used (end of training) may fail unseen; a used one is awaited
    this.ahead = { kinds: next, start: aheadStart, end: copy.getState(), specs, batch };
  }
}

interface Stateful extends Random {
  getState(): unknown;
  setState(s: unknown): void;
}

/** The generator, when its state is the data library's (four uint32 words) and can be copied; else null. */
function stateful(random: Random): Stateful | null {
  const r = random as Partial<Stateful>;
  if (typeof r.getState !== 'function' || typeof r.setState !== 'function') return null;
  const s = r.getState();
  return Array.isArray(s) && s.length === 4 ? (random as Stateful) : null;
}

function sameKinds(a: readonly PatchKind[], b: readonly PatchKind[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function sameState(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** How many draws lead from generator state `from` to `to` (at most MAX_GAP); null when not found. */
function drawsBetween(from: unknown, to: unknown): number | null {
  const r = createRng(0);
  r.setState(from);
  for (let k = 0; k <= MAX_GAP; k++) {
    if (sameState(r.getState(), to)) return k;
    r.next();
  }
  return null;
}
