import { describe, expect, it } from 'vitest';
import { renderSpecToSvg, seedCurvesSpec, type SeedGroup } from '../src/index.ts';

const run = (name: string, dice: number[]) => ({
  run: { name, curve: dice.map((d, i) => ({ elapsedMs: (i + 1) * 60_000, dice: d })) },
  evaluation: null,
});

describe('curves over seeds', () => {
  it('draws a mean line per configuration over a band, with a legend of full-colour line symbols', async () => {
    const groups = [
      { configuration: 'ohem-m0.9', runs: [run('ohem-m0.9-s1', [0.1, 0.3, 0.5]), run('ohem-m0.9-s2', [0.3, 0.5, 0.7])] },
      { configuration: 'oversample-p0.5', runs: [run('oversample-p0.5-s1', [0.2, 0.4, 0.8])] },
    ] as unknown as SeedGroup[];
    const svg = await renderSpecToSvg(seedCurvesSpec(groups, 'curves'));
    const symbols = [...svg.matchAll(/role-legend-symbol[^>]*>(<path [^>]*>)/g)].map((m) => m[1]);
    expect(symbols).toHaveLength(2);
    for (const s of symbols) {
      expect(s).toContain('opacity="1"');
      expect(s).toMatch(/d="M-5,0L5,0"/); // a stroke, like the lines
    }
    // Minutes on the x axis (the longest curve is 3 min) and one labelled entry per configuration.
    expect(svg).toContain('training time (min)');
    expect(svg).toMatch(/>ohem-m0\.9<\/text>[\s\S]*>oversample-p0\.5<\/text>/);
  });
});
