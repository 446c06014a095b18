import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompareProgress, FileTail } from '../src/progress.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'lesionseg-compare-'));

const line = (o: object) => JSON.stringify(o) + '\n';

describe('trainer:compare live progress', () => {
  it('follows each run’s events.jsonl: iterations, best Dice so far and ETA per configuration', () => {
    const root = tempDir();
    for (const n of ['ohem-m0.9', 'oversample-p0.5']) mkdirSync(path.join(root, n));
    const out: string[] = [];
    let t = 0;
    const p = new CompareProgress(
      ['ohem-m0.9', 'oversample-p0.5'],
      (n) => path.join(root, n),
      { write: (s) => out.push(s), isTTY: false },
      { now: () => t, logEveryMs: 30_000 },
    );
    const ev = path.join(root, 'ohem-m0.9', 'events.jsonl');
    appendFileSync(ev, line({ type: 'trainStart', iteration: 0, elapsedMs: 0, budget: { kind: 'time', ms: 600_000 } }));
    appendFileSync(ev, line({ type: 'stepDone', iteration: 40, elapsedMs: 120_000 }));
    appendFileSync(ev, line({ type: 'validationDone', iteration: 40, elapsedMs: 120_000, dice: 0.41 }));
    appendFileSync(ev, line({ type: 'validationDone', iteration: 40, elapsedMs: 120_000, dice: 0.38 }));
    appendFileSync(ev, '{"type":"stepDone","iteration":41,'); // being written
    p.setState('ohem-m0.9', 'training');
    const lines = p.render();
    expect(lines[0]).toBe('ohem-m0.9       training    20% | it    40 | 2m00s/10m00s | best Dice 0.410 | ETA 8m00s');
    expect(lines[1]).toBe('oversample-p0.5 waiting   ');
    // the partial line completes on the next poll
    appendFileSync(ev, '"elapsedMs":123000}\n');
    t = 10_000;
    p.update();
    expect(p.configs[0].iteration).toBe(41);
    expect(out).toHaveLength(1); // in a log: not again within 30 s
    t = 40_000;
    p.setState('ohem-m0.9', 'evaluating');
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('ohem-m0.9       evaluating  21% | it    41');
    expect(out[1]).not.toContain('ETA');
  });

  it('redraws in place on a terminal, with messages above the block', () => {
    const root = tempDir();
    const out: string[] = [];
    const p = new CompareProgress(['a', 'b'], (n) => path.join(root, n), { write: (s) => out.push(s), isTTY: true });
    p.update(true);
    const logged: string[] = [];
    p.log('[a] training', (l) => logged.push(l));
    expect(logged).toEqual(['[a] training']);
    expect(out[1]).toBe('\x1b[2A\x1b[0J'); // the 2-line block is cleared before the message
    expect(out[2]).toBe('a waiting   \nb waiting   \n');
  });

  it('reads only what was appended since the last read', () => {
    const f = path.join(tempDir(), 'x.jsonl');
    const tail = new FileTail(f);
    expect(tail.read()).toEqual([]);
    appendFileSync(f, 'a\nb');
    expect(tail.read()).toEqual(['a']);
    appendFileSync(f, '\nc\n');
    expect(tail.read()).toEqual(['b', 'c']);
  });
});
