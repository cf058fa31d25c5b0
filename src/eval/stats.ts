/**
 * The evaluation's maths: binomial rates with exact (Clopper-Pearson) 95% bounds, and summaries of
 * integer distance histograms (hist[d] = how many pairs are at Hamming distance d).
 */

export const CONFIDENCE = 0.95;

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const CF_MAX_ITERATIONS = 100_000;
const CF_EPSILON = 1e-15;
const CF_TINY = 1e-300;

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < CF_EPSILON) return h;
  }
  throw new Error(`Incomplete beta did not converge for a=${a}, b=${b}, x=${x}`);
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

const BISECTION_STEPS = 200;

/** The p-quantile of Beta(a, b): the x with I_x(a, b) = p (bisection; I is increasing in x). */
export function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < BISECTION_STEPS && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (regularizedBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function checkCounts(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`Expected integers 0 <= k <= n but received k=${k}, n=${n}`);
  }
}

/** Two-sided Clopper-Pearson (exact binomial) interval for k successes in n trials. */
export function clopperPearson(k: number, n: number, confidence = CONFIDENCE): [number, number] {
  checkCounts(k, n);
  if (n === 0) return [0, 1];
  const alpha = 1 - confidence;
  const lower = k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
  return [lower, upper];
}

/**
 * One-sided Clopper-Pearson upper bound: the largest rate p for which seeing k or fewer events
 * in n trials still has probability >= 1 - confidence. For k = 0 it is 1 - (1 - confidence)^(1/n),
 * which the "rule of three" approximates as 3/n at 95%.
 */
export function upperBound(k: number, n: number, confidence = CONFIDENCE): number {
  checkCounts(k, n);
  if (n === 0 || k === n) return 1;
  const alpha = 1 - confidence;
  if (k === 0) return -Math.expm1(Math.log(alpha) / n);
  return betaQuantile(1 - alpha, k + 1, n - k);
}

export function rate(k: number, n: number): number {
  checkCounts(k, n);
  return n === 0 ? 0 : k / n;
}

/** A histogram of integer distances 0..maxDistance. */
export type Histogram = readonly number[] | Float64Array | Uint32Array;

export function histogramTotal(hist: Histogram): number {
  let n = 0;
  for (let i = 0; i < hist.length; i++) n += hist[i];
  return n;
}

/** How many entries are at distance <= threshold. */
export function countAtMost(hist: Histogram, threshold: number): number {
  let n = 0;
  const end = Math.min(hist.length - 1, Math.floor(threshold));
  for (let d = 0; d <= end; d++) n += hist[d];
  return n;
}

/**
 * Nearest-rank quantile: the smallest distance d such that at least ceil(q * n) entries are <= d
 * (q = 0 gives the minimum). Null for an empty histogram.
 */
export function histogramQuantile(hist: Histogram, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Expected a quantile in [0, 1] but received ${q}`);
  const n = histogramTotal(hist);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let d = 0; d < hist.length; d++) {
    seen += hist[d];
    if (seen >= rank) return d;
  }
  return hist.length - 1;
}

export interface DistanceSummary {
  readonly n: number;
  readonly min: number | null;
  readonly median: number | null;
  readonly p95: number | null;
  readonly max: number | null;
}

export function summarize(hist: Histogram): DistanceSummary {
  let max: number | null = null;
  for (let d = hist.length - 1; d >= 0; d--) {
    if (hist[d] > 0) {
      max = d;
      break;
    }
  }
  return {
    n: histogramTotal(hist),
    min: histogramQuantile(hist, 0),
    median: histogramQuantile(hist, 0.5),
    p95: histogramQuantile(hist, 0.95),
    max,
  };
}

/** Sum a histogram into bins of `width` distances: bin i covers [i*width, (i+1)*width - 1]. */
export function rebin(hist: Histogram, width: number): number[] {
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(`Expected a positive integer bin width but received ${width}`);
  }
  const bins = new Array<number>(Math.ceil(hist.length / width)).fill(0);
  for (let d = 0; d < hist.length; d++) bins[Math.floor(d / width)] += hist[d];
  return bins;
}

/** Add one distance to a histogram, clamping into its range. */
export function addDistance(hist: number[] | Float64Array | Uint32Array, d: number): void {
  hist[Math.min(hist.length - 1, Math.max(0, d))] += 1;
}
