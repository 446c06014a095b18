/** Messages between the main thread and a training replica (worker_threads). */
import type { PatchLossConfig } from '../loss/patch-loss.ts';
import type { ResolvedUNetOptions } from '../unet/options.ts';

export interface InitMessage {
  type: 'init';
  unet: ResolvedUNetOptions;
  backend: 'wasm' | 'cpu';
  loss: PatchLossConfig;
}

export interface PartBatch {
  images: Float32Array;
  masks?: Float32Array | Uint8Array;
  count: number;
  shape: [number, number, number];
  channels?: number;
}

export interface GradsMessage {
  type: 'grads';
  id: number;
  /** Current weights, in parameter order. */
  weights: Float32Array[];
  batch: PartBatch;
  microBatch: number;
  divideBy: number;
}

export interface ScoreMessage {
  type: 'score';
  id: number;
  weights: Float32Array[];
  batch: PartBatch;
  chunk: number;
}

export interface PredictMessage {
  type: 'predict';
  id: number;
  weights: Float32Array[];
  batch: PartBatch;
  chunk: number;
}

export type ToWorker = InitMessage | GradsMessage | ScoreMessage | PredictMessage;

export type FromWorker =
  | { type: 'ready' }
  | { type: 'grads'; id: number; grads: Float32Array[]; perPatch: Float32Array }
  | { type: 'score'; id: number; scores: Float32Array }
  | { type: 'predict'; id: number; probs: Float32Array }
  | { type: 'error'; id?: number; message: string };
