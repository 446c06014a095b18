/**
 * Child process for the "killed mid-write" test: writes checkpoint A (head bias = 1), then
 * starts checkpoint B (head bias = 2) and stops forever right before the commit, after telling
 * the parent on stdout. The parent kills it with SIGKILL at that point.
 * Usage: tsx test/checkpoint-writer.ts <dir>
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { saveCheckpoint } from '../src/checkpoint/checkpoint.ts';
import { createUNet } from '../src/unet/unet.ts';

const dir = process.argv[2];
await tf.setBackend('cpu');
const model = createUNet({ widths: [2, 4], groups: 2, seed: 1 });
(model.params.get('head/bias') as tf.Variable).assign(tf.tensor1d([1]));
await saveCheckpoint(dir, { model, plugins: { tag: 'A' } });
(model.params.get('head/bias') as tf.Variable).assign(tf.tensor1d([2]));
await saveCheckpoint(
  dir,
  { model, plugins: { tag: 'B' } },
  {
    beforeCommit: () =>
      new Promise<void>(() => {
        process.stdout.write('WRITING\n');
      }),
  },
);
