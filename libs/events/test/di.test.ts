import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { createBus, type Bus } from '../src/bus.ts';
import { bindMulti, bindSingleton, resolve, resolveAll, UnknownPluginError } from '../src/di.ts';
import { token } from '../src/tokens.ts';

interface Observer {
  id: number;
}
const TOKENS = {
  Bus: token<Bus>('Bus'),
  Observer: token<Observer>('Observer'),
};

function container(): Container {
  const c = new Container();
  bindSingleton(c, TOKENS.Bus, () => createBus());
  return c;
}

describe('typed tokens and DI helpers', () => {
  it('the bus is one singleton for every consumer', () => {
    const c = container();
    const a = resolve(c, TOKENS.Bus);
    const b = resolve(c, TOKENS.Bus);
    expect(a).toBe(b);
  });

  it('a token with nothing bound names the token', () => {
    const c = new Container();
    expect(() => resolve(c, TOKENS.Bus)).toThrow('lesionseg.Bus');
  });

  it('multi-bound plugins resolve in binding order, and none is an empty list', () => {
    const c = container();
    expect(resolveAll(c, TOKENS.Observer)).toEqual([]);
    bindMulti(c, TOKENS.Observer, () => ({ id: 1 }));
    bindMulti(c, TOKENS.Observer, () => ({ id: 2 }));
    expect(resolveAll(c, TOKENS.Observer).map((o) => o.id)).toEqual([1, 2]);
  });

  it('an unknown plugin name names it and lists the known ones', () => {
    const e = new UnknownPluginError('strategy', 'ohme', ['ohem', 'oversample']);
    expect(e.message).toBe('Unknown strategy "ohme". Known strategy names: "ohem", "oversample".');
  });
});
