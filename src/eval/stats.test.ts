import { describe, expect, it } from 'vitest';
import {
  clopperPearson,
  countAtMost,
  histogramQuantile,
  logGamma,
  rate,
  rebin,
  regularizedBeta,
  summarize,
  upperBound,
} from './stats.js';

/** P(X <= k) for X ~ Binomial(n, p), summed term by term in log space: an independent check. */
function binomialCdf(k: number, n: number, p: number): number {
  let s = 0;
  for (let i = 0; i <= k; i++) {
    const logTerm = logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p);
    s += Math.exp(logTerm);
  }
  return s;
}

describe('logGamma and the incomplete beta', () => {
  it('matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
  it('matches reference values (scipy.special.betainc)', () => {
    expect(regularizedBeta(0.3, 2.5, 3.5)).toBeCloseTo(0.296752989296, 10);
    expect(regularizedBeta(3e-6, 4, 1_000_000)).toBeCloseTo(0.352770127597, 8);
    expect(regularizedBeta(0.5, 3, 3)).toBeCloseTo(0.5, 12);
    expect(regularizedBeta(0, 2, 2)).toBe(0);
    expect(regularizedBeta(1, 2, 2)).toBe(1);
  });
});

describe('Clopper-Pearson bounds', () => {
  it('matches hand-checked two-sided intervals', () => {
    const cases: [number, number, number, number][] = [
      [5, 10, 0.1870860284, 0.8129139716],
      [0, 10, 0, 0.3084971078],
      [10, 10, 0.6915028922, 1],
      [1, 20, 0.001265089498, 0.2487327628],
      [37, 40, 0.7961352513, 0.9842578201],
      [250, 1000, 0.2234304063, 0.2780500062],
      [3, 1_124_250, 5.502979791e-7, 7.798310502e-6],
    ];
    for (const [k, n, lo, hi] of cases) {
      const [l, h] = clopperPearson(k, n);
      expect(Math.abs(l - lo)).toBeLessThan(1e-9 * Math.max(1, lo / 1e-6));
      expect(h / hi).toBeCloseTo(1, 8);
      if (lo > 0) expect(l / lo).toBeCloseTo(1, 8);
      else expect(l).toBe(0);
    }
  });

  it('gives the exact zero-event upper bound, close to the rule of three', () => {
    expect(upperBound(0, 3)).toBeCloseTo(0.6315968501, 9);
    const n = 1_124_250;
    expect(upperBound(0, n) / 2.664646015e-6).toBeCloseTo(1, 8);
    expect(upperBound(0, n) * n).toBeGreaterThan(2.99);
    expect(upperBound(0, n) * n).toBeLessThan(3);
  });

  it('gives one-sided upper bounds with P(X <= k | upper) = 5%', () => {
    const cases: [number, number, number][] = [
      [1, 100, 0.04655981145],
      [3, 1_124_250, 6.89672238e-6],
      [12, 1_000_000, 1.944249698e-5],
    ];
    for (const [k, n, expected] of cases) {
      const u = upperBound(k, n);
      expect(u / expected).toBeCloseTo(1, 8);
      expect(binomialCdf(k, n, u)).toBeCloseTo(0.05, 8);
    }
  });

  it('handles the edges and rejects nonsense', () => {
    expect(upperBound(4, 4)).toBe(1);
    expect(clopperPearson(0, 0)).toEqual([0, 1]);
    expect(rate(0, 0)).toBe(0);
    expect(rate(3, 4)).toBe(0.75);
    expect(() => rate(5, 4)).toThrow(RangeError);
    expect(() => upperBound(-1, 4)).toThrow(RangeError);
    expect(() => clopperPearson(1.5, 4)).toThrow(RangeError);
  });
});

describe('histograms', () => {
  // distances: 2, 2, 3, 5, 5, 5, 9, 9, 9, 9 (n = 10)
  const hist = [0, 0, 2, 1, 0, 3, 0, 0, 0, 4, 0];

  it('summarizes with nearest-rank quantiles', () => {
    expect(summarize(hist)).toEqual({ n: 10, min: 2, median: 5, p95: 9, max: 9 });
    expect(histogramQuantile(hist, 0.3)).toBe(3);
    expect(histogramQuantile(hist, 0.6)).toBe(5);
    expect(histogramQuantile(hist, 0.61)).toBe(9);
    expect(summarize(new Array(5).fill(0))).toEqual({ n: 0, min: null, median: null, p95: null, max: null });
  });

  it('counts at or under a threshold', () => {
    expect(countAtMost(hist, 1)).toBe(0);
    expect(countAtMost(hist, 2)).toBe(2);
    expect(countAtMost(hist, 5)).toBe(6);
    expect(countAtMost(hist, 8.9)).toBe(6);
    expect(countAtMost(hist, 1000)).toBe(10);
  });

  it('rebins into fixed-width bins with a short last bin', () => {
    expect(rebin(hist, 4)).toEqual([3, 3, 4]);
    expect(rebin(hist, 1)).toEqual(hist);
    expect(rebin(hist, 11)).toEqual([10]);
    expect(() => rebin(hist, 0)).toThrow(RangeError);
  });
});
