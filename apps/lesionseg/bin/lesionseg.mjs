#!/usr/bin/env node
// The `lesionseg` command. It runs the TypeScript sources through tsx's loader inside this very
// process (no tsx CLI parent that would SIGKILL a busy trainer 60 ms after a Ctrl-C), so a
// signal reaches the command directly and the exit code is the command's own.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
