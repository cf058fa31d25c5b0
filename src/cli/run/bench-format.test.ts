import { describe, expect, it } from 'vitest';
import { formatComparison, formatFigures, formatValue } from './bench-format.js';
import type { Comparison } from '../../bench/gate.js';
import type { Figure } from '../../bench/schema.js';

const fig = (mode: string, median: number): Figure => ({
  name: 'images_per_s', unit: 'images/s', better: 'higher', params: { corpus: 'c', mode, workers: 1 },
  median, min: median, max: median, q1: median, q3: median, values: [median],
});

describe('bench tables', () => {
  it('formats values by unit', () => {
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3.0 MiB');
    expect(formatValue(1.234, 'ms')).toBe('1.23 ms');
    expect(formatValue(12345.6, 'queries/s')).toBe('12,346');
    expect(formatValue(null, 'ms')).toBe('—');
  });

  it('labels figures by the params that tell them apart', () => {
    const text = formatFigures([fig('decode', 100), fig('pdq', 50)]);
    expect(text).toMatch(/^images_per_s mode=decode\s+100/m);
    expect(text).toMatch(/^images_per_s mode=pdq\s+50\.0/m);
    expect(text).not.toContain('corpus=');
  });

  it('shows each comparison row with its verdict and the overall result', () => {
    const c: Comparison = {
      maxRegression: 0.1, requireAll: false, regressed: 1, improved: 0, missing: 1, environmentNotes: ['cores differs: baseline 8, now 2'], failed: true,
      rows: [
        { key: 'a', name: 'queries_per_s', params: {}, unit: 'queries/s', better: 'higher', baseline: 1000, current: 800, ratio: 0.8, worseBy: 0.2, status: 'regressed' },
        { key: 'b', name: 'index_build_ms', params: {}, unit: 'ms', better: 'lower', baseline: null, current: 5, ratio: null, worseBy: null, status: 'missing-in-baseline' },
      ],
    };
    const text = formatComparison(c, 'base.json');
    expect(text).toMatch(/queries_per_s\s+1,000\s+800\s+0\.800×\s+-20\.0%\s+higher\s+REGRESSED/);
    expect(text).toMatch(/index_build_ms\s+—\s+5\.00 ms\s+—\s+—\s+lower\s+new \(not in baseline\)/);
    expect(text).toContain('note: cores differs: baseline 8, now 2');
    expect(text).toContain('FAIL: 1 figure(s) regressed by more than 10%');
  });
});
