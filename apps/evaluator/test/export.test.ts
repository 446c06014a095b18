// `lesionseg export` / `evaluator:export`: the checkpoint's UNet as ONNX, run by ONNX Runtime (onnxruntime-web's wasm
// build in Node), gives the predictor's logits; the CLI resolves paths and refuses bad output names.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, loadPredictor, selectBackend } from '@lesionseg/models';
import { parseExportArgs } from '../src/export/args.ts';
import { UsageError } from '../src/score/args.ts';
import { writeTinyRun } from './fixtures.ts';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'export-'));
  await selectBackend('cpu', { log: () => {} });
  ort.env.wasm.numThreads = 1;
  await writeTinyRun(join(root, 'run'), { spacingMm: 1, patchSize: 8 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('evaluator export (ONNX)', () => {
  it('`lesionseg export` round-trips through ONNX Runtime: the logits match the predictor to 1e-5', async () => {
    const r = await exportOnnx(join(root, 'run'), join(root, 'library.onnx'));
    expect(r.weights).toBe('raw');
    expect(r.metadata['lesionseg.window']).toBe('8');
    expect(readFileSync(join(root, 'library.onnx')).length).toBe(r.bytes);
    // The file ONNX Runtime runs is the one the user's command writes: the linked binary, from the run's folder.
    const bin = join(import.meta.dirname, '../../../node_modules/.bin/lesionseg');
    const { INIT_CWD: _, ...env } = process.env;
    const wrote = spawnSync(bin, ['export', '--run', 'run', '--out', 'model.onnx'], { cwd: root, env, encoding: 'utf8' });
    expect(wrote.stderr).toMatch(/wrote .*model\.onnx \(\d+ KiB, raw weights of /);
    expect(wrote.status).toBe(0);
    const bytes = readFileSync(join(root, 'model.onnx'));
    const predictor = await loadPredictor(join(root, 'run'));
    // One 8^3 window with 2 channels; ONNX takes channels first.
    const [d, h, w] = [8, 8, 16];
    const x = new Float32Array(d * h * w * 2).map((_, i) => Math.sin(i * 0.37) * 2);
    const ours = tf.tidy(() => predictor.model.forward(tf.tensor5d(x, [1, d, h, w, 2])));
    const expected = (await ours.data()) as Float32Array;
    ours.dispose();
    predictor.dispose();
    const cf = new Float32Array(x.length);
    for (let v = 0; v < d * h * w; v++) for (let c = 0; c < 2; c++) cf[c * d * h * w + v] = x[2 * v + c];
    const session = await ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ['wasm'] });
    expect([session.inputNames, session.outputNames]).toEqual([['flair'], ['logits']]);
    const out = (await session.run({ flair: new ort.Tensor('float32', cf, [1, 2, d, h, w]) })).logits;
    await session.release();
    expect(out.dims).toEqual([1, 1, d, h, w]);
    const got = out.data as Float32Array;
    let err = 0;
    for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(got[i] - expected[i]));
    expect(err).toBeLessThan(1e-5);
    // Provenance travels in the file's metadata_props.
    expect(bytes.includes(Buffer.from('lesionseg.commit'))).toBe(true);
  });

  it('parses its command line', () => {
    expect(parseExportArgs(['--checkpoint', 'run', '--out', 'm.onnx'], '/base')).toEqual({ checkpoint: '/base/run', out: '/base/m.onnx', raw: false });
    expect(() => parseExportArgs(['--checkpoint', 'run', '--out', 'm.bin'], '/base')).toThrow(/--out must name a \.onnx file/);
    expect(() => parseExportArgs(['--out', 'm.onnx'], '/base')).toThrow(UsageError);
  });

  it('the entry point writes relative to INIT_CWD and fails clearly on a missing checkpoint', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/export-main.ts', ...args], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, INIT_CWD: root },
        encoding: 'utf8',
      });
    const ok = run(['--run', 'run', '--out', 'cli/m.onnx', '--raw']);
    expect(ok.stderr).toMatch(/wrote .*cli\/m\.onnx \(\d+ KiB, raw weights of .*checkpoints\/best\)/);
    expect(ok.status).toBe(0);
    const bad = run(['--run', 'nope', '--out', 'x.onnx']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^lesionseg export: .*nope: checkpoint does not exist/);
  });
});
