// `npx nx run evaluator:evaluate -- ...` (= `lesionseg evaluate`): see `--help` and cli/commands.ts.
import { exitWith, runCommand } from '@lesionseg/cli';
import { evaluateCommand } from './cli/commands.ts';

exitWith(runCommand('lesionseg', evaluateCommand, process.argv.slice(2)));
