/** `npx nx run data:preprocess -- --data DIR ...` (= `lesionseg preprocess`): see `--help` and commands/preprocess.ts. */
import { exitWith, runCommand } from '@lesionseg/cli';
import { preprocessCommand } from './commands/preprocess.ts';

exitWith(runCommand('lesionseg', preprocessCommand, process.argv.slice(2)));
