/**
 * Adam with PyTorch's defaults (betas 0.9/0.999, eps 1e-8; tfjs would default eps to 1e-7),
 * plus the accessors the trainer and checkpoints need.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export function createAdam(learningRate: number, o: AdamOptions = {}): tf.AdamOptimizer {
  return tf.train.adam(learningRate, o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-8);
}

/** tfjs keeps the rate in a protected field; an LR schedule changes it here. */
export function setLearningRate(optimizer: tf.AdamOptimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

export function getLearningRate(optimizer: tf.AdamOptimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

export function adamConfig(optimizer: tf.AdamOptimizer): { learningRate: number; beta1: number; beta2: number; epsilon: number } {
  const c = optimizer.getConfig() as { learningRate: number; beta1: number; beta2: number; epsilon: number };
  return { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon };
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/**
 * Adam's bias-correction powers beta1^t and beta2^t as the running optimizer holds them: it
 * multiplies them by beta in float32 at every step, while `setWeights` recomputes them with
 * `pow` (t = 201: 0.81783229 vs 0.81783217). A checkpoint stores these exact float32 values so
 * that a resumed run updates bit for bit as the unsplit one.
 */
export async function getAccumulatedBetas(optimizer: tf.AdamOptimizer): Promise<[number, number]> {
  const o = optimizer as unknown as AdamInternals;
  return [(await o.accBeta1.data())[0], (await o.accBeta2.data())[0]];
}

export function setAccumulatedBetas(optimizer: tf.AdamOptimizer, [b1, b2]: readonly [number, number]): void {
  const o = optimizer as unknown as AdamInternals;
  tf.tidy(() => {
    o.accBeta1.assign(tf.scalar(b1, 'float32'));
    o.accBeta2.assign(tf.scalar(b2, 'float32'));
  });
}
