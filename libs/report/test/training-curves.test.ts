import { describe, expect, it } from 'vitest';
import { renderSpecToSvg, svgToPng } from '../src/learning-curves.ts';
import { decodePng } from '../src/png.ts';
import { CURVE_COLOURS, iterationRate, smooth, thin, trainingCurvesSpec } from '../src/training-curves.ts';

const steps = Array.from({ length: 120 }, (_, k) => ({
  iteration: k + 1,
  elapsedMs: (k + 1) * (k < 60 ? 500 : 1000),
  loss: 1 / (k + 1) + (k % 2 ? 0.05 : -0.05),
  lr: k < 60 ? 1e-3 : 1e-4,
  stepMs: 400,
}));

describe('training curves', () => {
  it('smooths with a debiased exponential moving average', () => {
    // TensorBoard's formula by hand: weight 0.5 -> 2, (0.5*2*0.5+0.5*4)/(1-0.25) = ...
    const s = smooth([2, 4, 4], 0.5);
    expect(s[0]).toBeCloseTo(2, 12);
    expect(s[1]).toBeCloseTo((0.25 * 2 + 0.5 * 4) / 0.75, 12);
    expect(s[2]).toBeCloseTo((0.125 * 2 + 0.25 * 4 + 0.5 * 4) / 0.875, 12);
    expect(smooth([1, Number.NaN, 1], 0.9).map(Number.isNaN)).toEqual([false, true, false]);
  });

  it('thins long logs to evenly spaced points, keeping the last', () => {
    const t = thin(
      Array.from({ length: 1000 }, (_, i) => i),
      10,
    );
    expect(t).toHaveLength(10);
    expect(t[0]).toBe(0);
    expect(t[9]).toBe(999);
    expect(thin([1, 2], 10)).toEqual([1, 2]);
  });

  it('measures iterations per second of training time', () => {
    const r = iterationRate(steps, 4);
    expect(r[0].rate).toBeCloseTo(2, 9); // 500 ms per step at first
    expect(r[r.length - 1].rate).toBeCloseTo(1, 9); // then 1000 ms
  });

  it('draws loss raw and smoothed, validation Dice, speed and the learning rate in their palette colours', async () => {
    const spec = trainingCurvesSpec({
      steps,
      validation: [
        { elapsedMs: 30_000, dice: 0.4 },
        { elapsedMs: 120_000, dice: 0.7 },
      ],
    });
    const svg = await renderSpecToSvg(spec);
    for (const t of ['training loss', 'training loss (smoothed)', 'validation Dice', 'iterations / s', 'learning rate', 'training time (seconds)'])
      expect(svg).toContain(t);
    const img = decodePng(svgToPng(svg, 1));
    const near = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < img.data.length; i += 4) if (Math.abs(img.data[i] - r) + Math.abs(img.data[i + 1] - g) + Math.abs(img.data[i + 2] - b) < 30) n++;
      return n;
    };
    for (const c of Object.values(CURVE_COLOURS)) expect({ c, n: near(c) > 50 }).toEqual({ c, n: true });
  });
});
