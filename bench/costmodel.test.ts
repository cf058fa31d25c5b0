import { describe, expect, it } from 'vitest';
import { chooseLayout, COST_MODEL_2026_11_28, layoutWork, type CostModel, type EntryKind } from '../src/search/mih.js';
import { fitCostModel, modelRatio, type CostRow } from './costmodel.js';

const TRUE_PRICES: CostModel = {
  ...COST_MODEL_2026_11_28,
  probeNs: 9,
  probeNsPerExtraBit: 7,
  candidateNs: 40,
  sievedBucketNs: 30,
  sievedEntryNs: 4,
  tableNs: 0,
  tablesQueryNs: 900,
  sievePassNs: 3,
  missNs: 25,
};

/** Rows whose measured ratio is exactly what `prices` predict, over sizes, layouts and radii. */
function syntheticRows(prices: CostModel): CostRow[] {
  const rows: CostRow[] = [];
  for (const n of [1e4, 1e5, 1e6, 1e7]) {
    for (const segments of [11, 13, 16, 20]) {
      for (const entries of ['plain', 'sieved'] as EntryKind[]) {
        const { widths } = chooseLayout(256, n, 31, segments, entries, prices);
        for (const radius of [12, 31, 48, 64]) {
          const row: CostRow = { n, bits: 256, layout: `m${segments}`, widths, entries, radius, work: layoutWork(widths, n, radius, prices), ratio: null, mixSpread: null, tablesNs: null, scanNs: 0, rounds: 5, note: '' };
          const r = modelRatio(row, prices);
          rows.push({ ...row, ratio: { random: r, near: r, mix: r } });
        }
      }
    }
  }
  return rows;
}

describe('fitCostModel', () => {
  it('recovers the prices that generated the ratios', () => {
    const fitted = fitCostModel(syntheticRows(TRUE_PRICES), COST_MODEL_2026_11_28);
    for (const key of ['probeNs', 'probeNsPerExtraBit', 'candidateNs', 'sievePassNs', 'missNs', 'sievedBucketNs', 'sievedEntryNs', 'tablesQueryNs'] as const) {
      expect(Math.abs(fitted[key] / TRUE_PRICES[key] - 1), key).toBeLessThan(0.02);
    }
  });

  it('never returns a negative price', () => {
    const rows = syntheticRows(TRUE_PRICES).map((r) => ({ ...r, ratio: { random: 1, near: 1, mix: r.ratio!.mix * (r.radius === 12 ? 3 : 1) } }));
    const fitted = fitCostModel(rows, COST_MODEL_2026_11_28);
    for (const v of Object.values(fitted)) expect(v).toBeGreaterThanOrEqual(0);
  });
});
