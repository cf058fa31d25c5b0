import { describe, expect, it } from 'vitest';
import { summarize } from './stats.js';

describe('summarize', () => {
  it('gives median, extremes and quartiles of an odd count', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ median: 3, min: 1, max: 5, q1: 2, q3: 4 });
    expect(s.values).toEqual([5, 1, 4, 2, 3]);
  });
  it('interpolates the median of an even count', () => {
    expect(summarize([10, 20, 40, 30]).median).toBe(25);
    expect(summarize([10, 20, 40, 30]).q1).toBe(17.5);
  });
  it('handles one value', () => {
    expect(summarize([7])).toMatchObject({ median: 7, min: 7, max: 7, q1: 7, q3: 7 });
  });
  it('refuses no values', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });
});
