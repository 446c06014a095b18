import { exportOnnx } from '@lesionseg/models';
import type { ExportCliOptions } from './args.ts';

/** `lesionseg export`: the checkpoint's UNet as an ONNX file, with a one-line summary. */
export async function runExport(opts: ExportCliOptions, log: (line: string) => void): Promise<void> {
  const r = await exportOnnx(opts.checkpoint, opts.out, { useEma: opts.raw ? false : undefined, log });
  log(`wrote ${r.out} (${(r.bytes / 1024).toFixed(0)} KiB, ${r.weights} weights of ${r.checkpointDir})`);
}
