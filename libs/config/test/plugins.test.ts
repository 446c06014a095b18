import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin, loadPluginModules, PluginRegistry, registerPlugins, str } from '../src/index.ts';

const folder = (): string => mkdtempSync(path.join(os.tmpdir(), 'lesionseg-plugins-'));
const builtins = () => new PluginRegistry<void, string>('strategy').register(definePlugin({ type: 'ohem', summary: '', options: {}, create: () => 'ohem' }));

describe('plugin modules from user files', () => {
  it('loads named exports, a default object and a default function given the kit, relative to the base folder', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'named.ts'), `export const strategies = [{ type: 'named', summary: 's', options: {}, create: (): string => 'named' }];\n`);
    writeFileSync(path.join(dir, 'object.mjs'), `export default { losses: { type: 'obj-loss', create: () => 'loss' } };\n`);
    writeFileSync(
      path.join(dir, 'kit.ts'),
      `import type { PluginKit } from '@lesionseg/config';\n` +
        `export default (kit: PluginKit) => ({ strategies: [kit.definePlugin({ type: 'kit', summary: 'k', options: { word: kit.str({ default: 'hi' }) }, create: (o) => o.word })] });\n`,
    );
    const modules = await loadPluginModules(['named.ts', './object.mjs', path.join(dir, 'kit.ts'), 'named.ts'], dir);
    expect(modules.map((m) => path.basename(m.file))).toEqual(['named.ts', 'object.mjs', 'kit.ts']); // the repeat is loaded once
    const strategy = builtins();
    const loss = new PluginRegistry<void, string>('loss');
    registerPlugins(modules, { strategy, loss });
    expect(strategy.types()).toEqual(['ohem', 'named', 'kit']);
    expect(loss.types()).toEqual(['obj-loss']);
    expect(strategy.create(strategy.parse({ type: 'kit' }))).toBe('hi');
    expect(() => strategy.parse({ type: 'kit', word: 3 })).toThrow('strategy.word: must be a string, got 3');
    expect(str().required).toBe(true);
  });

  it('a missing file, a module with nothing recognisable, a bad definition: errors naming the file', async () => {
    const dir = folder();
    await expect(loadPluginModules(['./nope.ts'], dir)).rejects.toThrow(`plugin ${path.join(dir, 'nope.ts')}: no such file ("./nope.ts", relative to ${dir})`);
    writeFileSync(path.join(dir, 'empty.ts'), `export const answer = 42;\n`);
    await expect(loadPluginModules(['empty.ts'], dir)).rejects.toThrow(
      `plugin ${path.join(dir, 'empty.ts')}: exports no plugin definitions (expected strategies, losses, lrSchedules, loggers, hooks, postProcessors, or a default export of them)`,
    );
    writeFileSync(path.join(dir, 'bad.ts'), `export const strategies = [{ type: 'x' }];\n`);
    await expect(loadPluginModules(['bad.ts'], dir)).rejects.toThrow(
      `plugin ${path.join(dir, 'bad.ts')}: strategies[0] ("x") has no create(options, deps) function`,
    );
    writeFileSync(path.join(dir, 'broken.ts'), `export const strategies = ;\n`);
    await expect(loadPluginModules(['broken.ts'], dir)).rejects.toThrow(`plugin ${path.join(dir, 'broken.ts')}: cannot load it`);
  });

  it('a type that clashes with a built-in or another plugin is refused, naming both; so is a module this command cannot use', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'a.ts'), `export const strategies = [{ type: 'ohem', create: () => 'mine' }];\n`);
    writeFileSync(path.join(dir, 'b.ts'), `export const strategies = [{ type: 'twin', create: () => 'b' }];\n`);
    writeFileSync(path.join(dir, 'c.ts'), `export const strategies = [{ type: 'twin', create: () => 'c' }];\n`);
    writeFileSync(path.join(dir, 'pp.ts'), `export const postProcessors = [{ type: 'pp', create: () => 'pp' }];\n`);
    const a = await loadPluginModules(['a.ts'], dir);
    expect(() => registerPlugins(a, { strategy: builtins() })).toThrow(
      `plugin ${path.join(dir, 'a.ts')}: strategy "ohem" clashes with the built-in strategy of that name; give it another type name`,
    );
    const bc = await loadPluginModules(['b.ts', 'c.ts'], dir);
    expect(() => registerPlugins(bc, { strategy: builtins() })).toThrow(
      `plugin ${path.join(dir, 'c.ts')}: strategy "twin" clashes with the one of plugin ${path.join(dir, 'b.ts')}`,
    );
    const pp = await loadPluginModules(['pp.ts'], dir);
    expect(() => registerPlugins(pp, { strategy: builtins() })).toThrow(
      `plugin ${path.join(dir, 'pp.ts')}: defines nothing this command uses (it takes strategies)`,
    );
  });
});
