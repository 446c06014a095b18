/**
 * The trainer's commands (`lesionseg train|report`, and the Nx targets trainer:train,
 * trainer:report; compare lives in apps/compare): spec and help from ./args.ts and ../report/run-report-args.ts, the
 * work loaded only when a command runs, so that `lesionseg --help` stays fast.
 */
import path from 'node:path';
import type { Command } from '@lesionseg/cli';
import { legacyResume, TRAIN_SPEC, trainOptions } from './args.ts';
import { REPORT_SPEC, runReportOptions } from '../report/run-report-args.ts';

async function releaseGpu(): Promise<void> {
  // Dawn's native GPU object would keep the process alive after the work is done.
  await (await import('../release-gpu.ts')).releaseGpu();
}

export const trainCommand: Command = {
  ...TRAIN_SPEC,
  legacyArgv: legacyResume,
  // The trainer saves checkpoints/latest on SIGINT/SIGTERM, then exits 130/143 itself.
  handlesSignals: true,
  cleanup: releaseGpu,
  async run(ctx) {
    const cli = trainOptions(ctx.values);
    if (cli.printSchema) {
      const { printSchema } = await import('../config/print-schema.ts');
      process.stdout.write(`${await printSchema(cli.plugins, ctx.env)}\n`);
      return 0;
    }
    const [{ train }, { createRealRuntime }, { generatePhantoms }, { slowStepsFromEnv }, { workspaceRoot }] = await Promise.all([
      import('../train.ts'),
      import('../adapters/real-runtime.ts'),
      import('../adapters/dataset.ts'),
      import('../process/fault-injection.ts'),
      import('./paths.ts'),
    ]);
    const result = await train(cli, {
      env: ctx.env,
      workspaceRoot: workspaceRoot(),
      createRuntime: async (request) => slowStepsFromEnv(await createRealRuntime(request, ctx.log), ctx.env),
      generateDefaultData: (dir, config) => {
        const data = config.data.options;
        return generatePhantoms(dir, data.synthPatients, data.synthSize, ctx.log);
      },
      onSignals: (handler) => {
        const onSignal = (signal: NodeJS.Signals) => handler(signal);
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        return () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        };
      },
      ...(ctx.quiet ? { progressOutput: { write: () => {}, isTTY: false } } : {}),
      log: ctx.log,
    });
    return result.exitCode;
  },
};

export const reportCommand: Command = {
  ...REPORT_SPEC,
  async run(ctx) {
    const options = runReportOptions(ctx.values);
    const [{ runReport }, { runTsxChild }, { DEFAULT_DATA_DIR, workspaceRoot }] = await Promise.all([
      import('../report/run-report.ts'),
      import('@lesionseg/executors'),
      import('./paths.ts'),
    ]);
    const root = workspaceRoot();
    await runReport(options, { workspaceRoot: root, env: ctx.env, run: runTsxChild, log: ctx.log, defaultDataDir: path.join(root, DEFAULT_DATA_DIR) });
    return 0;
  },
};

export const TRAINER_COMMANDS: readonly Command[] = [trainCommand, reportCommand];
