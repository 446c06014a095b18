import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * tsx's CLI (`npx tsx main.ts`) runs the script in a child process and relays signals to it:
 * on SIGINT/SIGTERM it waits 30 ms for the child's JavaScript to acknowledge, sends the signal
 * again, waits 30 ms more, then SIGKILLs it (node_modules/tsx/dist/cli.mjs, "relaySignals").
 * A trainer busy in a synchronous tensor step cannot answer in 30 ms, so it would be killed
 * before it saves. Under that CLI, main.ts therefore runs the trainer as a grandchild with
 * tsx's loader only (`node --import <tsx loader>`, no relaying parent of its own): the middle
 * process stays idle, acknowledges at once, and waits for the trainer to save and exit.
 */
const PREFLIGHT = /tsx[\\/]dist[\\/]preflight\.cjs$/;

export function startedByTsxCli(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a) => PREFLIGHT.test(a));
}

/** The node flags without tsx's preflight (`--require .../preflight.cjs`), keeping its `--import` loader. */
export function directExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    if (execArgv[i] === '--require' && PREFLIGHT.test(execArgv[i + 1] ?? '')) i++;
    else if (!PREFLIGHT.test(execArgv[i])) out.push(execArgv[i]);
  }
  return out;
}

/**
 * Runs `script` in a child node process (same process group, same stdio) and resolves with its
 * exit code (128 + signal number when a signal ended it). A signal sent to this process only
 * is forwarded; the trainer counts signals that arrive together as one, so the copy it also
 * gets from a process-group signal does not abort its save.
 */
export function runDirectChild(script: string, argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...directExecArgv(process.execArgv), script, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
