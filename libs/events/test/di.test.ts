import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { createBus, type Bus } from '../src/bus.ts';
import { bindMulti, bindNamed, bindSingleton, knownPluginNames, MissingPluginError, resolve, resolveAll, resolveNamed, UnknownPluginError } from '../src/di.ts';
import { token } from '../src/tokens.ts';

interface Strategy {
  name: string;
}
interface Observer {
  id: number;
}
const TOKENS = {
  Bus: token<Bus>('Bus'),
  Strategy: token<Strategy>('Strategy'),
  Observer: token<Observer>('Observer'),
};

function container(): Container {
  const c = new Container();
  bindSingleton(c, TOKENS.Bus, () => createBus());
  bindNamed(c, TOKENS.Strategy, 'ohem', () => ({ name: 'ohem' }));
  bindNamed(c, TOKENS.Strategy, 'oversample', () => ({ name: 'oversample' }));
  return c;
}

describe('typed tokens and DI helpers', () => {
  it('the bus is one singleton for every consumer', () => {
    const c = container();
    const a = resolve(c, TOKENS.Bus);
    const b = resolve(c, TOKENS.Bus);
    expect(a).toBe(b);
  });

  it('selects a strategy by its config name', () => {
    const c = container();
    const s: Strategy = resolveNamed(c, TOKENS.Strategy, 'strategy', 'oversample');
    expect(s.name).toBe('oversample');
    expect(knownPluginNames(c, TOKENS.Strategy)).toEqual(['ohem', 'oversample']);
  });

  it('an unknown name names it and lists the known ones', () => {
    const c = container();
    const attempt = () => resolveNamed(c, TOKENS.Strategy, 'strategy', 'ohme');
    expect(attempt).toThrow(UnknownPluginError);
    expect(attempt).toThrow('Unknown strategy "ohme". Known strategy names: "ohem", "oversample".');
  });

  it('a missing name says so and lists the known ones', () => {
    const c = container();
    expect(() => resolveNamed(c, TOKENS.Strategy, 'strategy', undefined)).toThrow(MissingPluginError);
    expect(() => resolveNamed(c, TOKENS.Strategy, 'strategy', '')).toThrow('No strategy configured: set "type" to one of "ohem", "oversample".');
  });

  it('a token with nothing bound names the token', () => {
    const c = new Container();
    expect(() => resolve(c, TOKENS.Bus)).toThrow('lesionseg.Bus');
  });

  it('binding one name twice is refused', () => {
    const c = container();
    expect(() => bindNamed(c, TOKENS.Strategy, 'ohem', () => ({ name: 'x' }))).toThrow('bound twice');
  });

  it('multi-bound plugins resolve in binding order, and none is an empty list', () => {
    const c = container();
    expect(resolveAll(c, TOKENS.Observer)).toEqual([]);
    bindMulti(c, TOKENS.Observer, () => ({ id: 1 }));
    bindMulti(c, TOKENS.Observer, () => ({ id: 2 }));
    expect(resolveAll(c, TOKENS.Observer).map((o) => o.id)).toEqual([1, 2]);
  });

  it('named registries are per container', () => {
    container();
    const other = new Container();
    expect(knownPluginNames(other, TOKENS.Strategy)).toEqual([]);
  });
});
