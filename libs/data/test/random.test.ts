import { describe, expect, it } from 'vitest';
import { createRng, randInt, normal, shuffled } from '../src/index.ts';

describe('createRng', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const da = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(da);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(da);
  });

  it('replays exactly after saving and restoring its state (through JSON)', () => {
    const r = createRng(7);
    for (let i = 0; i < 13; i++) r.next();
    const saved = JSON.parse(JSON.stringify(r.state())) as unknown;
    const first = Array.from({ length: 50 }, () => r.nextUint32());
    const other = createRng(999);
    other.setState(saved);
    expect(Array.from({ length: 50 }, () => other.nextUint32())).toEqual(first);
    expect(() => other.setState([1, 2, 3])).toThrow(/four uint32 words/);
    expect(() => other.setState([0, 0, 0, 0])).toThrow(/not all zero/);
  });

  it('gives uniform-looking draws in [0, 1) and unbiased integers', () => {
    const r = createRng(1);
    const n = 20000;
    let sum = 0;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const v = r.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
      counts[randInt(r, 10)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    for (const c of counts) expect(Math.abs(c / n - 0.1)).toBeLessThan(0.01);
    let s2 = 0;
    for (let i = 0; i < n; i++) s2 += normal(r) ** 2;
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
    expect(shuffled(r, [1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
