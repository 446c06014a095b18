/**
 * Child process for the fault-injection test: writes checkpoint A, then checkpoint B and
 * SIGKILLs itself at the given stage of B's save (a real kill -9, no cleanup runs).
 * Usage: node --import tsx test/checkpoint-killer.ts <dir> <stage>
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { saveCheckpoint, type SaveStage } from '../src/checkpoint/checkpoint.ts';
import { createUNet } from '../src/unet/unet.ts';

const [dir, stage] = process.argv.slice(2);
await tf.setBackend('cpu');
const model = createUNet({ widths: [2, 4], groups: 2, seed: 1 });
await saveCheckpoint(dir, { model, plugins: { tag: 'A' } });
await saveCheckpoint(dir, { model, plugins: { tag: 'B' } }, { onStage: (s: SaveStage) => void (s === stage && process.kill(process.pid, 'SIGKILL')) });
