/** `npx nx run trainer:report -- --run RUN_DIR` (= `lesionseg report`): see `--help` and report/run-report.ts. */
import { exitWith, runCommand } from '@lesionseg/cli';
import { reportCommand } from './cli/commands.ts';

exitWith(runCommand('lesionseg', reportCommand, process.argv.slice(2)));
