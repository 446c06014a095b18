import { describe, expect, it } from 'vitest';
import { formatMeanSem, table1Csv, table1Markdown } from '../src/table1.ts';
import { row } from './fixtures.ts';

describe('Table 1', () => {
  it('formats mean (SEM) like the paper and marks missing values', () => {
    expect(formatMeanSem({ mean: 0.4, sem: 0.051, n: 32, nNaN: 0 })).toBe('0.400 (0.051)');
    expect(formatMeanSem({ mean: 31.2, sem: 13, n: 28, nNaN: 0 }, 1)).toBe('31.2 (13.0)');
    expect(formatMeanSem({ mean: Number.NaN, sem: Number.NaN, n: 0, nNaN: 2 })).toBe('n/a');
    expect(formatMeanSem({ mean: 0.5, sem: Number.NaN, n: 1, nNaN: 0 })).toBe('0.500 (n/a)');
  });

  it('writes one Markdown row per configuration', () => {
    const md = table1Markdown([row('ohem-m0.9', 0.61), row('oversample-p0.1', 0.55)]);
    const lines = md.trim().split('\n');
    expect(lines[0]).toBe('Mean (SEM) per patient; 3 patients with new lesions, 2 without.');
    expect(lines).toHaveLength(6);
    expect(lines[4]).toBe('| ohem-m0.9 | 0.610 (0.050) | 0.500 (0.100) | 0.750 (0.125) | 0.400 (n/a) | 1.50 (0.50) | 31.3 (13.0) | 1234 | 120 |');
  });

  it('writes CSV with raw numbers and empty cells for missing values', () => {
    const csv = table1Csv([row('a,b', 0.25)])
      .trim()
      .split('\n');
    const header = csv[0].split(',');
    const values = csv[1].match(/("[^"]*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? [];
    expect(values[0]).toBe('"a,b"');
    expect(values[header.indexOf('dice_mean')]).toBe('0.25');
    expect(values[header.indexOf('lesion_ppv_sem')]).toBe('');
    expect(values[header.indexOf('fp_volume_mm3_mean')]).toBe('31.25');
    expect(values[header.indexOf('ms_per_iteration')]).toBe('1234.4');
  });
});
