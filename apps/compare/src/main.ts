/** `npx nx run trainer:compare [-- OPTIONS]` (= `lesionseg compare`): see `--help` and compare.ts. */
import { exitWith, runCommand } from '@lesionseg/cli';
import { compareCommand } from './command.ts';

exitWith(runCommand('lesionseg', compareCommand, process.argv.slice(2)));
