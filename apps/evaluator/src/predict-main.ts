// `npx nx run evaluator:predict -- ...` (= `lesionseg predict`): see `--help` and cli/commands.ts.
import { exitWith, runCommand } from '@lesionseg/cli';
import { predictCommand } from './cli/commands.ts';

exitWith(runCommand('lesionseg', predictCommand, process.argv.slice(2)));
