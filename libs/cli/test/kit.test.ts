import { describe, expect, it } from 'vitest';
import { createBus, UserError } from '@lesionseg/events';
import {
  attachPatientProgress,
  closest,
  commandHelp,
  StatusBlock,
  parseCommandLine,
  runCommand,
  runProgram,
  UsageError,
  type Command,
  type CommandIo,
} from '../src/index.ts';

const SPEC = {
  run: { type: 'string', value: 'DIR', description: 'the run folder', deprecated: ['out', 'checkpoint'], multiple: true },
  count: { type: 'string', value: 'N', default: '10', description: 'how many' },
  overwrite: { type: 'boolean', description: 'write again' },
} as const;

function io(): CommandIo & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', env: {}, cwd: '/home/me' } as CommandIo & { stdout: string; stderr: string };
  o.out = (t) => void (o.stdout += t);
  o.err = (t) => void (o.stderr += t);
  return o;
}

const command = (run: Command['run']): Command => ({ name: 'demo', summary: 'a demo command', options: SPEC, run });

describe('option parsing', () => {
  it('maps deprecated spellings to the new name, with a warning, and refuses both at once', () => {
    const warnings: string[] = [];
    expect(parseCommandLine(['--checkpoint', 'a', '--checkpoint', 'b'], SPEC, (w) => warnings.push(w)).run).toEqual(['a', 'b']);
    expect(warnings).toEqual(['--checkpoint is deprecated; use --run']);
    expect(() => parseCommandLine(['--run', 'a', '--out', 'b'], SPEC, () => {})).toThrow('--out is the old spelling of --run: give one of them');
  });

  it('suggests the closest option for a typo, and none for a word far from every name', () => {
    expect(() => parseCommandLine(['--cuont', '3'], SPEC, () => {})).toThrow('unknown option --cuont; did you mean --count?');
    expect(() => parseCommandLine(['--overwrit'], SPEC, () => {})).toThrow('did you mean --overwrite?');
    expect(() => parseCommandLine(['--zzzzzz'], SPEC, () => {})).toThrow(/^unknown option --zzzzzz$/);
    // a value that looks like an option must be attached: --count=--5
    expect(parseCommandLine(['--count=--5'], SPEC, () => {}).count).toBe('--5');
    expect(() => parseCommandLine(['--count', '--5'], SPEC, () => {})).toThrow(
      /^Option '--count' argument is ambiguous.\nDid you forget to specify the option argument for '--count'\?$/,
    );
    expect(closest('tarin', ['train', 'report'])).toBe('train');
  });

  it('every command takes --quiet and --help; a positional is a usage error', () => {
    expect(parseCommandLine(['--quiet', '-h'], SPEC, () => {})).toEqual({ quiet: true, help: true });
    expect(() => parseCommandLine(['stray'], SPEC, () => {})).toThrow(UsageError);
  });
});

describe('help', () => {
  it('is generated from the spec: every option, its placeholder, default and old spellings', () => {
    const text = commandHelp('lesionseg', { name: 'demo', nxTarget: 'x:demo', summary: 'a demo command', options: SPEC });
    expect(text).toContain('Usage: lesionseg demo [OPTIONS]');
    expect(text).toContain('npx nx run x:demo -- [OPTIONS]');
    expect(text).toMatch(/--run DIR\s+the run folder \(repeatable; old spelling: --out, --checkpoint\)/);
    expect(text).toMatch(/--count N\s+how many \(default: 10\)/);
    expect(text).toMatch(/--quiet\s+no progress output/);
    expect(text).toMatch(/-h, --help\s+this text/);
  });
});

describe('exit policy', () => {
  it('0 done, 2 bad command line, 1 user error without stack, 1 bug with its stack', async () => {
    const ok = io();
    expect(
      await runCommand(
        'lesionseg',
        command(async () => {}),
        [],
        ok,
      ),
    ).toBe(0);
    const usage = io();
    expect(
      await runCommand(
        'lesionseg',
        command(async () => {}),
        ['--cont', '1'],
        usage,
      ),
    ).toBe(2);
    expect(usage.stderr).toContain('lesionseg demo: unknown option --cont; did you mean --count?\n(see lesionseg demo --help)');
    const user = io();
    expect(
      await runCommand(
        'lesionseg',
        command(async () => Promise.reject(new UserError('/data/x.nii.gz: not a NIfTI file'))),
        [],
        user,
      ),
    ).toBe(1);
    expect(user.stderr).toBe('lesionseg demo: /data/x.nii.gz: not a NIfTI file\n');
    const bug = io();
    expect(
      await runCommand(
        'lesionseg',
        command(async () => Promise.reject(new TypeError('x is undefined'))),
        [],
        bug,
      ),
    ).toBe(1);
    expect(bug.stderr).toMatch(/unexpected error .*\nTypeError: x is undefined\n\s+at /);
    const code = io();
    expect(
      await runCommand(
        'lesionseg',
        command(async () => 143),
        [],
        code,
      ),
    ).toBe(143);
  });

  it('the command sees the user folder: INIT_CWD when set (Nx), else the process folder', async () => {
    let seen = '';
    const nx = { ...io(), env: { INIT_CWD: '/where/i/typed' } };
    await runCommand(
      'lesionseg',
      command(async ({ cwd }) => void (seen = cwd)),
      [],
      nx,
    );
    expect(seen).toBe('/where/i/typed');
    await runCommand(
      'lesionseg',
      command(async ({ cwd }) => void (seen = cwd)),
      [],
      io(),
    );
    expect(seen).toBe('/home/me');
  });

  it('a command that asked for interruptSignal() stops its work on SIGINT/SIGTERM first, then exits 130/143 (its message kept)', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const before = new Set(process.listeners(signal));
      const o = io();
      let aborted: unknown = null;
      const done = runCommand(
        'lesionseg',
        command(async ({ interruptSignal }) => {
          const signalled = interruptSignal();
          // the kit's own listener (not the test runner's), called as a signal would
          for (const l of process.listeners(signal)) if (!before.has(l)) (l as (s: NodeJS.Signals) => void)(signal);
          await new Promise((r) => setTimeout(r, 10)); // the tasks stopping
          aborted = signalled.reason;
          throw new UserError('interrupted: the tasks were stopped (run again to finish)');
        }),
        [],
        o,
      );
      expect(await done).toBe(code);
      expect(aborted).toBe(signal);
      expect(o.stderr).toBe(
        `\nlesionseg demo: interrupted (${signal}); stopping its tasks first (again, a second later, to exit at once)\nlesionseg demo: interrupted: the tasks were stopped (run again to finish)\n`,
      );
      expect(process.listeners(signal).filter((l) => !before.has(l))).toEqual([]); // removed when the command ends
    }
  });

  it('the program lists its commands and suggests one for a typo', async () => {
    const p = { name: 'lesionseg', summary: 'lesionseg: demo', commands: [command(async () => {})] };
    const help = io();
    expect(await runProgram(p, ['--help'], help)).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}demo\s+a demo command/);
    const typo = io();
    expect(await runProgram(p, ['dmeo'], typo)).toBe(2);
    expect(typo.stderr).toContain('unknown command "dmeo"; did you mean "demo"?');
  });
});

describe('status block', () => {
  it('a one-line status stays on its line; a block is redrawn by moving up over it; messages go above', () => {
    const out: string[] = [];
    const line = new StatusBlock({ write: (t) => out.push(t), isTTY: true });
    line.show(['a']);
    line.show(['b']);
    line.message('note');
    line.show(['c']);
    line.keep();
    expect(out.join('')).toBe('a\r\x1b[2Kb\r\x1b[2Knote\nc\n');
    const block: string[] = [];
    const b = new StatusBlock({ write: (t) => block.push(t), isTTY: true });
    b.show(['x', 'y']);
    b.show(['x', 'z']);
    expect(block.join('')).toBe('x\ny\n\x1b[2A\x1b[0Jx\nz\n');
    const log: string[] = [];
    let t = 0;
    const l = new StatusBlock({ write: (s) => log.push(s), isTTY: false }, { logEveryMs: 1000, now: () => t });
    l.show(['1']);
    t = 500;
    l.show(['2']); // too soon for a log
    l.show(['2'], true);
    l.show(['2'], true); // unchanged
    expect(log).toEqual(['1\n', '2\n']);
  });
});

describe('progress as a bus observer', () => {
  const stream = (isTTY: boolean) => {
    const s = { text: '', isTTY, write: (t: string) => ((s.text += t), true) };
    return s;
  };

  it('draws a bar per stage from the events the work emits, and nothing once detached or when disabled', () => {
    const bus = createBus();
    const log = stream(false);
    const detach = attachPatientProgress(bus, { stream: log as unknown as NodeJS.WriteStream });
    bus.emit('windowsDone', { iteration: 0, elapsedMs: 0, patient: 'p1', done: 3, total: 9, patientIndex: 0, patients: 2 }); // a log gets whole patients only
    bus.emit('patientDone', { iteration: 0, elapsedMs: 0, patient: 'p1', done: 1, total: 2, stage: 'predict' });
    bus.emit('patientDone', { iteration: 0, elapsedMs: 0, patient: 'p1', done: 1, total: 1, stage: 'score' });
    expect(
      log.text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(0, l.indexOf(' p1') + 3)),
    ).toEqual(['predict [############............] 1/2 p1', 'score [########################] 1/1 p1']);
    detach();
    bus.emit('patientDone', { iteration: 0, elapsedMs: 0, patient: 'p2', done: 2, total: 2, stage: 'predict' });
    expect(log.text).not.toContain('p2');

    const tty = stream(true);
    attachPatientProgress(bus, { stream: tty as unknown as NodeJS.WriteStream });
    bus.emit('windowsDone', { iteration: 0, elapsedMs: 0, patient: 'p2', done: 5, total: 10, patientIndex: 1, patients: 2 });
    expect(tty.text).toMatch(/^predict \[#{18}\.{6}\] 1\/2 p2 \(windows 5\/10\)[^\n]*$/);
    bus.emit('windowsDone', { iteration: 0, elapsedMs: 0, patient: 'p2', done: 10, total: 10, patientIndex: 1, patients: 2 });
    expect(tty.text).toContain(`left\r\x1b[2Kpredict [${'#'.repeat(24)}] 2/2 p2 (windows 10/10)`); // redrawn in place, on its line
    expect(tty.text.endsWith('\n')).toBe(false);

    const quiet = stream(false);
    attachPatientProgress(bus, { stream: quiet as unknown as NodeJS.WriteStream, enabled: false });
    bus.emit('patientDone', { iteration: 0, elapsedMs: 0, patient: 'p3', done: 1, total: 1, stage: 'score' });
    expect(quiet.text).toBe('');
  });
});
