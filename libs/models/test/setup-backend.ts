/** Tests run on tfjs's pure-JS `cpu` backend unless they pick another one explicitly. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export async function useCpu(): Promise<void> {
  if (tf.getBackend() !== 'cpu') {
    const ok = await tf.setBackend('cpu');
    if (!ok) throw new Error('cpu backend failed to initialise');
  }
  await tf.ready();
}
