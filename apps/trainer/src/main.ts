/**
 * `npx nx run trainer:train [-- OPTIONS]` (= `lesionseg train`): see `--help`. Everything testable
 * lives in train.ts; the command (cli/commands.ts) binds it to argv, env and signals, and the
 * command kit maps the outcome to the exit code.
 */
import { fileURLToPath } from 'node:url';
import { exitWith, runCommand } from '@lesionseg/cli';
import { trainCommand } from './cli/commands.ts';
import { runDirectChild, startedByTsxCli } from './process/direct-child.ts';

// Under tsx's CLI this process would be SIGKILLed 60 ms after a Ctrl-C: train in a direct child instead.
exitWith(
  startedByTsxCli() ? runDirectChild(fileURLToPath(import.meta.url), process.argv.slice(2)) : runCommand('lesionseg', trainCommand, process.argv.slice(2)),
);
