/**
 * The trainer's commands (`lesionseg train|compare|report`, and the Nx targets trainer:train,
 * trainer:compare, trainer:report): spec and help from ./args.ts and ../compare/*-args.ts, the
 * work loaded only when a command runs, so that `lesionseg --help` stays fast.
 */
import path from 'node:path';
import type { Command } from '@lesionseg/cli';
import { legacyResume, TRAIN_SPEC, trainOptions } from './args.ts';
import { COMPARE_SPEC, compareOptions } from '../compare/compare-args.ts';
import { REPORT_SPEC, runReportOptions } from '../compare/run-report-args.ts';

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

export const compareCommand: Command = {
  ...COMPARE_SPEC,
  async run(ctx) {
    const options = compareOptions(ctx.values);
    const [{ compare }, { runTsxChild }, { generatePhantoms }, { workspaceRoot }] = await Promise.all([
      import('../compare/compare.ts'),
      import('../compare/child-process.ts'),
      import('../adapters/dataset.ts'),
      import('./paths.ts'),
    ]);
    const result = await compare(options, {
      workspaceRoot: workspaceRoot(),
      env: ctx.env,
      run: runTsxChild,
      log: ctx.log,
      generateDefaultData: (dir, config) => {
        const data = config.data as { synthPatients?: number; synthSize?: number };
        return generatePhantoms(dir, data.synthPatients ?? 16, data.synthSize ?? 96, ctx.log);
      },
    });
    return result.failed.length > 0 ? 1 : 0;
  },
};

export const reportCommand: Command = {
  ...REPORT_SPEC,
  async run(ctx) {
    const options = runReportOptions(ctx.values);
    const [{ runReport }, { runTsxChild }, { DEFAULT_DATA_DIR, workspaceRoot }] = await Promise.all([import('../compare/run-report.ts'), import('../compare/child-process.ts'), import('./paths.ts')]);
    const root = workspaceRoot();
    await runReport(options, { workspaceRoot: root, env: ctx.env, run: runTsxChild, log: ctx.log, defaultDataDir: path.join(root, DEFAULT_DATA_DIR) });
    return 0;
  },
};

export const TRAINER_COMMANDS: readonly Command[] = [trainCommand, compareCommand, reportCommand];
