import { describe, expect, it } from 'vitest';
import { buildReport, formatSummary, reportJson, type EvalReport } from './report.js';
import type { TransformOutcome, VariantReport } from './run.js';
import { clopperPearson, summarize, upperBound } from './stats.js';
import { escapeXml, heatTableSvg, histogramSvg, rateColour } from './svg.js';

const BITS = 16;

function hist(entries: Record<number, number>): number[] {
  const h = new Array<number>(BITS + 1).fill(0);
  for (const [d, c] of Object.entries(entries)) h[Number(d)] = c;
  return h;
}

function outcome(id: string, h: number[], threshold: number): TransformOutcome {
  const distance = summarize(h);
  const matched = h.slice(0, threshold + 1).reduce((a, b) => a + b, 0);
  const atRecommended = h.slice(0, 5).reduce((a, b) => a + b, 0) / distance.n;
  return { id, n: distance.n, matched, tpRate: matched / distance.n, tpRate95: clopperPearson(matched, distance.n), lowQuality: 0, distance, histogram: h, tpRateAtRecommended: atRecommended };
}

/** `recommended` is 4 or the threshold itself; the test outcomes' tpRateAtRecommended assume 4. */
function variant(id: string, threshold: number, recommended = 4): VariantReport {
  const unrelated = hist({ 7: 2, 8: 5, 9: 3 });
  const jpeg = outcome('jpeg', hist({ 0: 3, 1: 1 }), threshold);
  const rot = outcome('rot90 <&>', hist({ 6: 1, 8: 3 }), threshold);
  return {
    id,
    signal: 'toy',
    dihedral: false,
    bits: BITS,
    threshold,
    minQuality: null,
    lowQualitySources: 0,
    sourceQuality: null,
    transforms: [jpeg, rot],
    sameSource: { other: jpeg.histogram, dihedral: rot.histogram },
    unrelated: { pairs: 10, distance: summarize(unrelated), histogram: unrelated, fp: 2, fpRate: 0.2, fpRateUpper95: upperBound(2, 10) },
    thresholds: [],
    largestZeroFpThreshold: 4,
    recommended: { threshold: recommended, tpRate: 0.5, fp: 0, fpRate: 0, fpRateUpper95: upperBound(0, 10) },
  };
}

function report(): EvalReport {
  return buildReport(
    {
      version: '0.0.0',
      environment: { node: 'test' },
      seed: 3,
      quick: true,
      size: { unrelatedSources: 5, transformedSources: 4, minSide: 8, maxSide: 8 },
      hashOptions: { pdqPipeline: 'fullres', dihedral: true, blockhashBits: 16 },
      transforms: [
        { id: 'jpeg', family: 'encoding', label: 'JPEG', apply: async (b) => b },
        { id: 'rot90 <&>', family: 'dihedral', label: 'rotate "90"', apply: async (b) => b },
      ],
      totalSeconds: 1.23456,
    },
    { variants: [variant('toy', 7), variant('toy-b', 2, 2)], timing: { hashingSeconds: 1, pairsSeconds: 0.5 } },
  );
}

describe('histogram SVG', () => {
  const svg = histogramSvg(variant('toy', 7));

  it('is one escaped svg element with three series and no NaN', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg).toContain('unrelated pairs (n=10)');
    expect(svg).toContain('same source, other edits (n=4)');
  });

  it('draws the threshold between distance t and t + 1', () => {
    // plot from x=64 to x=840 over 16 bits: distance 8 sits at 64 + 8/16 * 776 = 452
    expect(svg).toContain('<line x1="452" x2="452"');
    expect(svg).toContain('match if distance &lt;= 7; unrelated pairs matched 2/10');
  });
});

describe('heat table SVG', () => {
  const svg = heatTableSvg(report());

  it('has one coloured cell per transform and column, with escaped labels', () => {
    expect(svg.match(/<rect x="\d+" y="\d+" width="148" height="20"/g)).toHaveLength(6);
    expect(svg).toContain('&lt;= 7 (default)');
    expect(svg).toContain('&lt;= 4 (recommended)');
    expect(svg).toContain('&lt;= 2 (default)');
    expect(svg).not.toContain('&lt;= 2 (recommended)');
    expect(svg).toContain('0 / 10');
    expect(svg).toContain('rot90 &lt;&amp;&gt;: rotate &quot;90&quot;');
    expect(svg).toContain(`fill="${rateColour(1)}"`);
    expect(svg).toContain('100% (0)');
    expect(svg).toContain('0% (8)');
    expect(svg).toContain('25.0% (8)');
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('marks cells where low-quality hashes were refused, with a footnote', () => {
    expect(svg).not.toContain('quality cut-off');
    const r = report();
    const v = r.signals[0];
    const marked = { ...r, signals: [{ ...v, transforms: [{ ...v.transforms[0], lowQuality: 1 }, v.transforms[1]] }] };
    const out = heatTableSvg(marked);
    expect(out).toContain('100% (0)*');
    expect(out).toContain('quality cut-off');
  });

  it('colours from red to green', () => {
    expect(rateColour(0)).toBe('hsl(0, 65%, 82%)');
    expect(rateColour(0.5)).toBe('hsl(60, 65%, 82%)');
    expect(rateColour(1)).toBe('hsl(120, 65%, 78%)');
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });
});

describe('report', () => {
  it('serialises with timing kept apart and histograms on one line', () => {
    const json = reportJson(report());
    const parsed = JSON.parse(json) as EvalReport;
    expect(Object.keys(parsed)).toEqual(['schema', 'tool', 'environment', 'seed', 'quick', 'size', 'hashOptions', 'statistics', 'transforms', 'signals', 'timing']);
    expect(parsed.timing.totalSeconds).toBe(1.235);
    expect(json).toContain('"histogram": [3,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]');
    expect(parsed.signals[0].transforms[1].histogram).toEqual(hist({ 6: 1, 8: 3 }));
  });

  it('summarises in plain text', () => {
    const text = formatSummary(report());
    expect(text).toContain('toy <=7');
    expect(text).toMatch(/jpeg\s+100% \(0\)\s+100% \(0\)/);
    expect(text).toMatch(/rot90 <&>\s+25.0% \(8\)\s+0% \(8\)/);
    expect(text).toContain('2 / 10 pairs, rate 2.0e-1');
    expect(text).toMatch(/toy\s+<= 4: 0 \/ 10 unrelated pairs \(<= 2.6e-1\), 50.0% of all transformed images matched/);
  });
});
