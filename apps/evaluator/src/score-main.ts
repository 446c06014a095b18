// `npx nx run evaluator:score -- ...` (= `lesionseg score`): see `--help` and cli/commands.ts.
import { exitWith, runCommand } from '@lesionseg/cli';
import { scoreCommand } from './cli/commands.ts';

exitWith(runCommand('lesionseg', scoreCommand, process.argv.slice(2)));
