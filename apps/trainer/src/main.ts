/**
 * `npx nx run trainer:train [-- OPTIONS]`: see `--help`. Everything testable lives in train.ts;
 * this file only binds it to the process (argv, env, signals, exit code).
 */
import { parseCli, usage, UsageError } from './cli/args.ts';
import { workspaceRoot } from './cli/paths.ts';
import { train } from './train.ts';
import { createRealRuntime } from './adapters/real-runtime.ts';
import { generatePhantoms } from './adapters/dataset.ts';
import { printSchema } from './config/print-schema.ts';
import { ConfigError } from '@lesionseg/config';
import { fileURLToPath } from 'node:url';
import { runDirectChild, startedByTsxCli } from './process/direct-child.ts';
import { slowStepsFromEnv } from './process/fault-injection.ts';
import { releaseWebgpu } from '@lesionseg/models';

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`trainer: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (cli.help) {
    console.log(usage());
    return 0;
  }
  if (cli.printSchema) {
    console.log(await printSchema(cli.plugins, process.env));
    return 0;
  }
  const result = await train(cli, {
    env: process.env,
    workspaceRoot: workspaceRoot(),
    createRuntime: async (request) => slowStepsFromEnv(await createRealRuntime(request, (t) => console.error(t)), process.env),
    generateDefaultData: (dir, config) => {
      const data = config.data.options;
      return generatePhantoms(dir, data.synthPatients, data.synthSize, (t) => console.error(t));
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
    log: (text) => console.error(text),
  });
  return result.exitCode;
}

function onExit(run: Promise<number>): void {
  run
    // Dawn's native GPU object would keep the process alive after training ended.
    .finally(releaseWebgpu)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        // config and input errors are the user's to fix: the message, not a stack trace
        const known = error instanceof ConfigError || (error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError));
        console.error(`trainer: ${known ? (error as Error).message : String((error as Error).stack ?? error)}`);
        process.exitCode = known && error instanceof ConfigError ? 2 : 1;
      },
    );
}

// Under tsx's CLI this process would be SIGKILLed 60 ms after a Ctrl-C: train in a direct child instead.
onExit(startedByTsxCli() ? runDirectChild(fileURLToPath(import.meta.url), process.argv.slice(2)) : main());
