/** `lesionseg <command> [OPTIONS]`: the binary's entry (bin/lesionseg.mjs loads it through tsx). */
import { exitWith, runProgram } from '@lesionseg/cli';
import { PROGRAM } from './program.ts';

// The binary runs in the user's folder: relative paths mean that folder, also for the child
// processes a command starts (compare, report), which read INIT_CWD as Nx targets do.
process.env['INIT_CWD'] = process.cwd();
exitWith(runProgram(PROGRAM, process.argv.slice(2)));
