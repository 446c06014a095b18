import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, usage } from '../src/cli/args.ts';
import { defaultRunDir, resolveUserPath, workspaceRoot } from '../src/cli/paths.ts';

describe('command line', () => {
  it('parses every option', () => {
    const o = parseCli(['--preset', 'ohem-m0.9', '--data', 'd', '--out', 'r', '--budget', '10m', '--seed', '3', '--backend', 'wasm']);
    expect(o).toMatchObject({ preset: 'ohem-m0.9', data: 'd', out: 'r', budget: '10m', seed: 3, backend: 'wasm', iterations: null, resume: null, help: false });
    expect(parseCli(['--iterations', '500']).iterations).toBe(500);
    expect(parseCli(['-h']).help).toBe(true);
    expect(parseCli([])).toMatchObject({ preset: null, config: null });
  });

  it('rejects contradictions and typos with a message saying what to do', () => {
    expect(() => parseCli(['--config', 'a.json', '--preset', 'quick'])).toThrow('either --config or --preset');
    expect(() => parseCli(['--budget', '1h', '--iterations', '5'])).toThrow('either --budget or --iterations');
    expect(() => parseCli(['--iterations', 'many'])).toThrow('--iterations needs a non-negative integer, got "many"');
    expect(() => parseCli(['--backend', 'gpu'])).toThrow('--backend must be one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu');
    expect(() => parseCli(['--resume', 'runs/x', '--budget', '1h'])).toThrow('cannot be combined with --budget');
    expect(() => parseCli(['--bugdet', '1h'])).toThrow(/bugdet/);
    expect(parseCli(['--resume', 'runs/x', '--backend', 'cpu']).resume).toBe('runs/x');
  });

  it('--plugin repeats, --print-schema is a flag, and --resume takes its plugins from config.json only', () => {
    expect(parseCli(['--plugin', 'a.ts', '--plugin', '../b.ts'])).toMatchObject({ plugins: ['a.ts', '../b.ts'], printSchema: false });
    expect(parseCli(['--print-schema']).printSchema).toBe(true);
    expect(() => parseCli(['--resume', 'runs/x', '--plugin', 'a.ts'])).toThrow(
      '--resume loads the plugins its config.json names; it cannot be combined with --plugin',
    );
    for (const flag of ['--plugin', '--print-schema']) expect(usage()).toContain(flag);
  });

  it('the help lists every option and every preset', () => {
    const text = usage();
    for (const flag of ['--config', '--preset', '--data', '--out', '--budget', '--iterations', '--seed', '--backend', '--resume', '--help'])
      expect(text).toContain(flag);
    for (const preset of ['ohem-m0.99', 'oversample-p0.5', 'paper', 'quick']) expect(text).toContain(preset);
  });

  it('user paths resolve against where the user ran npx (INIT_CWD), defaults against the workspace', () => {
    expect(resolveUserPath('data/x', { INIT_CWD: '/home/me/project' })).toBe('/home/me/project/data/x');
    expect(resolveUserPath('/abs/x', { INIT_CWD: '/home/me' })).toBe('/abs/x');
    expect(resolveUserPath('x', {})).toBe(path.resolve(process.cwd(), 'x'));
    const root = workspaceRoot();
    expect(path.basename(path.join(root, 'apps', 'trainer'))).toBe('trainer');
    expect(defaultRunDir(root, 'quick', new Date('2026-11-26T17:20:05.123Z'))).toBe(path.join(root, 'runs', '2026-11-26T17-20-05Z-quick'));
  });
});
