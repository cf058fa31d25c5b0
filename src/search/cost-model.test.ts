import { describe, expect, it } from 'vitest';
import { cheaperStrategy, chooseLayout, COST_MODEL, COST_MODEL_2026_11_28, shardLayout, type CostModel, type EntryKind } from './mih.js';

/**
 * The measurement the prices were fitted to (docs/search.md, "Cost model"): 256-bit random lists,
 * each row a layout at a radius with the median of in-round ratios tables/scan CPU time
 * (90% random queries, 10% list entries with 0..r bits flipped); the comment names the run (docs/costmodel/2026-12-05-*.md).
 */
type Row = readonly [n: number, widths: string, entries: EntryKind, radius: number, measured: number];
const MEASURED: readonly Row[] = [
  [10000,"15,14x7,9x15,8","sieved",12,0.0839], // small
  [10000,"15,14x7,9x15,8","sieved",31,0.242], // small
  [10000,"15,14x7,9x15,8","sieved",40,0.8292], // small
  [10000,"15,14x7,9x15,8","sieved",48,2.3159], // small
  [10000,"15,14x7,9x15,8","sieved",56,2.4797], // small
  [10000,"15,14x7,9x15,8","sieved",64,4.3821], // small
  [10000,"16x16","sieved",31,0.2134], // small
  [10000,"24x3,23x8","plain",31,3.9459], // small
  [10000,"20x9,19x4","plain",31,0.9609], // small
  [10000,"14x3,13x10,12x7","sieved",31,0.2304], // small
  [30000,"16,15x12,10x6","sieved",12,0.0261], // small
  [30000,"16,15x12,10x6","sieved",31,0.0908], // small
  [30000,"16,15x12,10x6","sieved",40,0.3322], // small
  [30000,"16,15x12,10x6","sieved",48,1.1902], // small
  [30000,"16,15x12,10x6","sieved",56,2.1467], // small
  [30000,"16,15x12,10x6","sieved",64,3.883], // small
  [30000,"16x16","sieved",31,0.096], // small
  [30000,"24x3,23x8","plain",31,1.2438], // small
  [30000,"20x9,19x4","plain",31,0.3812], // small
  [30000,"16x2,15x10,10x2,9x6","sieved",31,0.1262], // small
  [30000,"14x8,9x16","sieved",31,0.1266], // small
  [100000,"16x16","sieved",12,0.0078], // small
  [100000,"16x16","sieved",31,0.038], // small
  [100000,"16x16","sieved",40,0.2752], // small
  [100000,"16x16","sieved",48,0.9609], // small
  [100000,"16x16","sieved",56,1.9309], // small
  [100000,"16x16","sieved",64,3.5622], // small
  [100000,"24x3,23x8","plain",31,0.3835], // small
  [100000,"20x9,19x4","plain",31,0.135], // small
  [100000,"14x12,11x8","sieved",31,0.0572], // small
  [100000,"13x8,10x8,9x8","sieved",31,0.0706], // small
  [300000,"16x16","sieved",12,0.0024], // small
  [300000,"16x16","sieved",31,0.025], // small
  [300000,"16x16","sieved",40,0.2525], // small
  [300000,"16x16","sieved",48,0.9984], // small
  [300000,"24x3,23x8","plain",31,0.1562], // small
  [300000,"20x9,19x4","plain",31,0.0895], // small
  [300000,"14x12,11x8","sieved",31,0.0482], // small
  [300000,"13x8,10x8,9x8","sieved",31,0.1156], // small
  [1000000,"16x16","sieved",12,0.001], // small
  [1000000,"16x16","sieved",31,0.0169], // small
  [1000000,"16x16","sieved",40,0.1726], // small
  [1000000,"16x16","sieved",48,0.9248], // small
  [1000000,"16x16","sieved",56,3.3054], // small
  [1000000,"24x3,23x8","plain",31,0.0534], // small
  [1000000,"21x6,19x4,18x3","sieved",31,0.0373], // small
  [1000000,"14x12,11x8","sieved",31,0.0526], // small
  [1000000,"13x8,10x8,9x8","sieved",31,0.0841], // small
  [3000000,"22x2,21x2,17x10","sieved",12,0.0007], // large
  [3000000,"22x2,21x2,17x10","sieved",31,0.0203], // large
  [3000000,"22x2,21x2,17x10","sieved",40,0.125], // large
  [3000000,"22x2,21x2,17x10","sieved",48,0.7597], // large
  [3000000,"22x2,21x2,17x10","sieved",56,2.2597], // large
  [3000000,"22x2,21x2,17x10","sieved",64,5.4139], // large
  [3000000,"16x16","sieved",31,0.0234], // large
  [3000000,"23x2,22x6,20x2,19x2","sieved",31,0.0264], // large
  [3000000,"22x6,18x5,17x2","sieved",31,0.0199], // large
  [10000000,"24x6,23x4,20","plain",12,0.0002], // large
  [10000000,"24x6,23x4,20","plain",31,0.0126], // large
  [10000000,"24x6,23x4,20","plain",40,0.0724], // large
  [10000000,"24x6,23x4,20","plain",48,0.2794], // large
  [10000000,"24x6,23x4,20","plain",56,0.8663], // large
  [10000000,"24x6,23x4,20","plain",64,1.9879], // large
  [10000000,"24x6,23x4,20","plain",72,4.9424], // large
  [10000000,"16x16","plain",31,0.1103], // large
  [10000000,"23x4,22x4,19x4","plain",31,0.021], // large
  [10000000,"22x4,21x2,18x7","plain",31,0.0308], // large
  [10000,"15,14x7,9x15,8","sieved",31,0.4515], // check
  [10000,"14x6,13x4,10x12","sieved",31,0.2285], // check
  [10000,"14x6,13x4,10x12","sieved",40,0.4901], // check
  [10000,"14x6,13x4,10x12","sieved",48,1.6791], // check
  [10000,"14x6,13x4,10x12","sieved",56,2.2687], // check
  [10000,"14x6,13x4,10x12","sieved",64,3.5022], // check
  [10000,"20x9,19x4","plain",31,1.2064], // check
  [30000,"16,15x12,10x6","sieved",31,0.15], // check
  [30000,"15x14,12x2,11x2","sieved",31,0.1929], // check
  [30000,"15x14,12x2,11x2","sieved",40,0.4554], // check
  [30000,"15x14,12x2,11x2","sieved",48,1.2], // check
  [30000,"15x14,12x2,11x2","sieved",56,1.748], // check
  [30000,"15x14,12x2,11x2","sieved",64,2.8543], // check
  [30000,"20x9,19x4","plain",31,0.3257], // check
  [3000000,"22x2,21x2,17x10","sieved",31,0.021], // check
  [3000000,"16x16","sieved",31,0.0204], // check
  [3000000,"16x16","sieved",40,0.1657], // check
  [3000000,"16x16","sieved",48,0.8952], // check
  [3000000,"16x16","sieved",56,3.0491], // check
  [3000000,"23x5,22,17x7","sieved",31,0.0259], // check
  [5000000,"21x4,18x2,17x8","sieved",31,0.0492], // check
  [5000000,"19x2,17x10,16x3","sieved",31,0.0146], // check
  [5000000,"19x2,17x10,16x3","sieved",40,0.1111], // check
  [5000000,"19x2,17x10,16x3","sieved",48,0.7194], // check
  [5000000,"19x2,17x10,16x3","sieved",56,2.2639], // check
  [5000000,"19x2,17x10,16x3","sieved",64,5.1847], // check
  [5000000,"22x4,21x2,18x7","sieved",31,0.0173], // check
  [30000000,"24x6,23x4,20","plain",12,0.0002], // 30M
  [30000000,"24x6,23x4,20","plain",31,0.0109], // 30M
  [30000000,"24x6,23x4,20","plain",40,0.0601], // 30M
  [30000000,"24x6,23x4,20","plain",48,0.2265], // 30M
  [30000000,"24x6,23x4,20","plain",56,0.7331], // 30M
  [30000000,"24x6,23x4,20","plain",64,1.5956], // 30M
  [30000000,"24x6,23x4,20","plain",72,4.1337], // 30M
  [25000000,"24x6,23x4,20","plain",12,0.0004], // 50M in 2 shards (n per shard)
  [25000000,"24x6,23x4,20","plain",31,0.0124], // 50M in 2 shards (n per shard)
  [25000000,"24x6,23x4,20","plain",48,0.2545], // 50M in 2 shards (n per shard)
  [25000000,"24x6,23x4,20","plain",56,0.7485], // 50M in 2 shards (n per shard)
  [25000000,"24x6,23x4,20","plain",64,1.6533], // 50M in 2 shards (n per shard)
  [30000000,"24x6,23x4,20","plain",12,0.0004], // 90M in 3 shards (n per shard)
  [30000000,"24x6,23x4,20","plain",31,0.0146], // 90M in 3 shards (n per shard)
  [30000000,"24x6,23x4,20","plain",48,0.2612], // 90M in 3 shards (n per shard)
  [30000000,"24x6,23x4,20","plain",56,0.7421], // 90M in 3 shards (n per shard)
  [30000000,"24x6,23x4,20","plain",64,1.6309], // 90M in 3 shards (n per shard)
  [33333334,"24x6,23x4,20","plain",12,0.0005], // 10^8 in 3 shards (n per shard)
  [33333334,"24x6,23x4,20","plain",31,0.0205], // 10^8 in 3 shards (n per shard)
  [33333334,"24x6,23x4,20","plain",48,0.2915], // 10^8 in 3 shards (n per shard)
  [33333334,"24x6,23x4,20","plain",56,0.7544], // 10^8 in 3 shards (n per shard)
  [33333334,"24x6,23x4,20","plain",64,1.5973], // 10^8 in 3 shards (n per shard)
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

  it('the crossover radius of the default layout matches the measured one at every measured size', () => {
    // From MEASURED: the radii (of 12, 31, 40, ... 72) at which the scan first comes within the margin and first wins by more than it.
    const measured: [n: number, from: number, to: number][] = [[1e4, 40, 48], [3e4, 48, 56], [1e5, 48, 56], [3e5, 48, 56], [1e6, 48, 56], [3e6, 48, 56], [5e6, 56, 56], [1e7, 56, 64], [3e7, 64, 64]];
    for (const [n, from, to] of measured) {
      const layout = chooseLayout(256, n, 31);
      const firstLinear = [12, 31, 40, 48, 56, 64, 72].find((r) => cheaperStrategy(256, n, layout, r) === 'linear') ?? Infinity;
      expect([n, firstLinear >= from && firstLinear <= to]).toEqual([n, true]);
    }
  });

  it('the crossover radius of lists split into shards matches the measured one (the model priced per shard)', () => {
    // 50M (2 shards of 25M), 90M (3 of 30M) and 10^8 (3 of 33.3M), 2026-12-05: tables 0.75x the scan at r = 56, 1.6x at 64.
    for (const n of [5e7, 9e7, 1e8]) {
      const { counts, layout } = shardLayout(256, n, 31);
      expect(counts.length).toBe(n === 5e7 ? 2 : 3);
      const firstLinear = [12, 31, 40, 48, 56, 64, 72].find((r) => cheaperStrategy(256, counts[0], layout, r) === 'linear');
      expect([n, firstLinear]).toEqual([n, 64]);
    }
  });

  it('pins the decisions at a few sizes', () => {
    expect(chooseLayout(256, 1e6, 31)).toEqual({ widths: Array(16).fill(16), entries: 'sieved' });
    expect(chooseLayout(256, 1e7, 31)).toEqual({ widths: [24, 24, 24, 24, 24, 24, 23, 23, 23, 23, 20], entries: 'plain' });
    for (const n of [1e4, 1e5, 1e6, 1e7, 3e7]) expect(cheaperStrategy(256, n, chooseLayout(256, n, 31), 31)).toBe('mih');
    expect(cheaperStrategy(256, 1e6, chooseLayout(256, 1e6, 31), 56)).toBe('linear');
    expect(cheaperStrategy(256, 1e6, chooseLayout(256, 1e6, 31), 56, COST_MODEL_2026_11_28)).toBe('mih');
    expect(chooseLayout(256, 3e6, 31)).toEqual({ widths: Array(16).fill(16), entries: 'sieved' });
    expect(chooseLayout(256, 5e6, 31, undefined, undefined, COST_MODEL_2026_11_28).widths).toEqual([21, 21, 21, 21, 18, 18, 17, 17, 17, 17, 17, 17, 17, 17]);
    expect(chooseLayout(256, 5e6, 31).widths).toEqual([19, 19, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 16, 16, 16]);
  });
});
