// Entry point of `npx nx run evaluator:export -- --checkpoint RUN_DIR --out model.onnx`.
import { exportOnnx } from '@lesionseg/models';
import { runCli } from './cli-errors.ts';
import { EXPORT_USAGE, parseExportArgs } from './export/args.ts';

const baseDir = process.env.INIT_CWD ?? process.cwd();
const log = (line: string): void => void process.stderr.write(`${line}\n`);

runCli(EXPORT_USAGE, async () => {
  const opts = parseExportArgs(process.argv.slice(2), baseDir);
  if (opts === 'help') return 'help';
  const r = await exportOnnx(opts.checkpoint, opts.out, { useEma: opts.raw ? false : undefined, log });
  log(`wrote ${r.out} (${(r.bytes / 1024).toFixed(0)} KiB, ${r.weights} weights of ${r.checkpointDir})`);
});
