import { describe, expect, it } from 'vitest';
import { cheaperStrategy, chooseLayout, COST_MODEL, COST_MODEL_2026_11_28, layoutWork, scanCostNs, tablesCostNs, type CostModel, type EntryKind } from './mih.js';

/**
 * The measurement the prices were fitted to (docs/search.md, "Cost model"): 256-bit random lists,
 * each row a layout at a radius with the median of in-round ratios tables/scan CPU time
 * (90% random queries, 10% list entries with 0..r bits flipped).
 */
type Row = readonly [n: number, widths: string, entries: EntryKind, radius: number, measured: number];
const MEASURED: readonly Row[] = [
  // FILLED FROM THE MEASUREMENT
];

/** Where tables and scan are this close (ratio within 1/MARGIN..MARGIN), either choice is right. */
const MARGIN = 1.25;

const parseWidths = (s: string) => s.split(',').flatMap((part) => {
  const [w, times] = part.split('x').map(Number);
  return Array(times ?? 1).fill(w) as number[];
});

function wrongChoices(cost: CostModel): string[] {
  return MEASURED.filter(([n, widths, entries, radius, measured]) => {
    if (measured < MARGIN && measured > 1 / MARGIN) return false;
    const want = measured < 1 ? 'mih' : 'linear';
    return cheaperStrategy(256, n, { widths: parseWidths(widths), entries }, radius, cost) !== want;
  }).map(([n, widths, entries, radius, measured]) => `${n} ${widths}:${entries} r=${radius} measured ${measured}`);
}

describe('index cost model against the measurement', () => {
  it('chooses tables or scan as measured at every size and radius (within the margin)', () => {
    expect(wrongChoices(COST_MODEL)).toEqual([]);
  });

  it('the 2026-11-28 prices chose wrongly somewhere (what the refit fixed)', () => {
    expect(wrongChoices(COST_MODEL_2026_11_28).length).toBeGreaterThan(0);
  });
});
