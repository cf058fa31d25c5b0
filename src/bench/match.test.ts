import { describe, expect, it } from 'vitest';
import type { HammingIndex, IndexMatch, PackedHashes } from '../search/types.js';
import { hammingBytes } from '../signals/hex.js';
import { buildHammingIndex, LinearIndex } from '../search/index.js';
import { answerDifference } from './crosscheck.js';
import { runMatchBench, type IndexFactory, type MatchBenchConfig } from './match.js';
import { createPrng } from '../synthetic/prng.js';
import { flipBits, makeQueries, sampleIndices, syntheticList } from '../synthetic/hashes.js';

/** A plain scan, independent of src/index, so the bench's own checks are tested on their own. */
function scanIndex(list: PackedHashes): HammingIndex {
  const size = list.bits / 8;
  return {
    bits: list.bits,
    size: list.count,
    query(hash, radius) {
      const out: IndexMatch[] = [];
      for (let i = 0; i < list.count; i++) {
        const d = hammingBytes(hash, list.bytes.subarray(i * size, (i + 1) * size));
        if (d <= radius) out.push({ id: list.ids[i], distance: d });
      }
      return out.sort((a, b) => a.distance - b.distance);
    },
  };
}

function config(over: Partial<MatchBenchConfig> = {}): MatchBenchConfig {
  const prng = createPrng(7);
  const list = syntheticList(256, 500, prng);
  return {
    source: 'synthetic', list, queries: makeQueries(list, 60, 0.5, 31, prng), nearFraction: 0.5, maxFlip: 31,
    radius: 31, threads: 1, repeat: 3, warmup: 1, check: 20, ...over,
  };
}

const honest: IndexFactory = { build: scanIndex, reference: scanIndex };

describe('runMatchBench', () => {
  it('measures the configured rounds and passes the cross-check on a correct index', async () => {
    const out = await runMatchBench(config(), honest);
    expect(out.crossCheck).toMatchObject({ ok: true, queries: 20, mismatches: 0 });
    expect(out.figures.map((f) => f.name)).toEqual(['queries_per_s', 'index_build_ms', 'index_memory_bytes', 'rss_after_build_bytes']);
    for (const f of out.figures) expect(f.values).toHaveLength(3);
    expect(out.figures[0]).toMatchObject({ better: 'higher', params: { bits: 256, n: 500, queries: 60, radius: 31, threads: 1 } });
    expect(out.figures[1].better).toBe('lower');
    expect(out.workload).toMatchObject({ nearQueries: 30, randomQueries: 30 });
    expect(out.workload.matchesPerRound).toBeGreaterThanOrEqual(30);
  });

  it('passes with the real fast index checked against the real LinearIndex, and reports its strategy', async () => {
    const real: IndexFactory = { build: (p) => buildHammingIndex(p), reference: (p) => LinearIndex.build(p) };
    const out = await runMatchBench(config({ repeat: 1 }), real);
    expect(out.crossCheck.ok).toBe(true);
    expect(['mih', 'linear']).toContain(out.workload.strategy);
  });

  it('fails the cross-check when the index drops a result', async () => {
    const dropping: IndexFactory = {
      reference: scanIndex,
      build(list) {
        const inner = scanIndex(list);
        return { ...inner, query: (h, r) => inner.query(h, r).slice(1) };
      },
    };
    const out = await runMatchBench(config(), dropping);
    expect(out.crossCheck.ok).toBe(false);
    expect(out.crossCheck.mismatches).toBeGreaterThan(0);
    expect(out.crossCheck.examples[0].reason).toMatch(/returned \d+ entries, LinearIndex \d+/);
  });

  it('fails the cross-check when the index reports a wrong distance', async () => {
    const off: IndexFactory = {
      reference: scanIndex,
      build(list) {
        const inner = scanIndex(list);
        return { ...inner, query: (h, r) => inner.query(h, r).map((m) => ({ ...m, distance: m.distance + 1 })) };
      },
    };
    expect((await runMatchBench(config(), off)).crossCheck.ok).toBe(false);
  });

  it('flags answers that change between rounds', async () => {
    let builds = 0;
    const flaky: IndexFactory = {
      reference: scanIndex,
      build(list) {
        const inner = scanIndex(list);
        const broken = ++builds === 2;
        return { ...inner, query: (h, r) => (broken ? [] : inner.query(h, r)) };
      },
    };
    const out = await runMatchBench(config({ warmup: 0 }), flaky);
    expect(out.crossCheck.ok).toBe(false);
    expect(out.crossCheck.examples.at(-1)?.reason).toMatch(/differ between rounds/);
  });
});

describe('answerDifference', () => {
  const m = (id: number, distance: number): IndexMatch => ({ id, distance });
  it('accepts the same entries with ties in any order, duplicates counted', () => {
    expect(answerDifference([m(1, 0), m(2, 3), m(3, 3)], [m(1, 0), m(3, 3), m(2, 3)])).toBeNull();
    expect(answerDifference([m(1, 2), m(1, 2)], [m(1, 2), m(2, 2)])).not.toBeNull();
  });
  it('rejects unsorted answers', () => {
    expect(answerDifference([m(1, 0), m(2, 3)], [m(2, 3), m(1, 0)])).toBe('not sorted by distance');
  });
});

describe('synthetic queries', () => {
  it('are reproducible from the seed and near ones stay within maxFlip of an entry', () => {
    const a = createPrng(3);
    const b = createPrng(3);
    const la = syntheticList(64, 100, a);
    const lb = syntheticList(64, 100, b);
    expect(Buffer.from(la.bytes).equals(Buffer.from(lb.bytes))).toBe(true);
    const qa = makeQueries(la, 50, 0.4, 5, a);
    const qb = makeQueries(lb, 50, 0.4, 5, b);
    expect(Buffer.from(qa.bytes).equals(Buffer.from(qb.bytes))).toBe(true);
    expect(qa.near).toBe(20);
    const idx = scanIndex(la);
    let withinFive = 0;
    for (let q = 0; q < 50; q++) if (idx.query(qa.bytes.subarray(q * 8, q * 8 + 8), 5).length > 0) withinFive++;
    expect(withinFive).toBeGreaterThanOrEqual(20);
    expect(withinFive).toBeLessThan(50);
  });
});

describe('synthetic helpers', () => {
  it('flips exactly k distinct bits', () => {
    const prng = createPrng(11);
    for (const k of [0, 1, 7, 31, 64]) {
      const a = new Uint8Array(8);
      prng.fill(a);
      const b = Uint8Array.from(a);
      flipBits(b, k, prng);
      expect(hammingBytes(a, b)).toBe(k);
    }
  });
  it('samples query indices evenly, all of them when asked for more', () => {
    expect(sampleIndices(10, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(sampleIndices(3, 10)).toEqual([0, 1, 2]);
  });
  it('keeps below() within range', () => {
    const prng = createPrng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(prng.below(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('index memory', () => {
  it('counts what the index reports holding plus its heap growth', async () => {
    const { indexMemory } = await import('./memory.js');
    expect(indexMemory({ heap: 100, external: 0 }, { heap: 150, external: 7 }, { memoryBytes: 1000 })).toBe(1050);
    expect(indexMemory({ heap: 100, external: 10 }, { heap: 150, external: 40 }, {})).toBe(80);
  });
});
