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
