/** `npx nx run data:synth -- --out DIR ...` (= `lesionseg synth`): see `--help` and commands/synth.ts. */
import { exitWith, runCommand } from '@lesionseg/cli';
import { synthCommand } from './commands/synth.ts';

exitWith(runCommand('lesionseg', synthCommand, process.argv.slice(2)));
