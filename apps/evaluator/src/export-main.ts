// `npx nx run evaluator:export -- ...` (= `lesionseg export`): see `--help` and cli/commands.ts.
import { exitWith, runCommand } from '@lesionseg/cli';
import { exportCommand } from './cli/commands.ts';

exitWith(runCommand('lesionseg', exportCommand, process.argv.slice(2)));
