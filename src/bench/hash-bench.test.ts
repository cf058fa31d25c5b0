import { describe, expect, it } from 'vitest';
import { runHashBench, type HashMode, type HashRunner } from './hash-bench.js';

const modes: HashMode[] = [
  { name: 'decode', kind: 'decode', signals: [] },
  { name: 'pdq', kind: 'hash', signals: ['pdq'] },
];

/** A runner whose round times are scripted: ms per round per (workers, mode), in order. */
function scripted(times: Record<string, number[]>, log: string[]): (w: number) => Promise<HashRunner> {
  return async (w) => ({
    async run(mode) {
      const key = `${w}/${mode.name}`;
      log.push(key);
      return { elapsedMs: times[key].shift()!, errors: (mode.name === 'pdq' && w === 2 ? { DECODE_FAILED: 1 } : {}) as Record<string, number> };
    },
    async close() {
      log.push(`close ${w}`);
    },
  });
}

describe('runHashBench', () => {
  it('interleaves modes per round, discards warm-up rounds, gives images/s per mode and worker count, and ratio notes', async () => {
    const log: string[] = [];
    const out = await runHashBench(
      { corpus: 'generated:8x8:10:jpeg', images: 10, modes, workers: [1, 2], repeat: 2, warmup: 1 },
      scripted({ '1/decode': [9999, 100, 50], '1/pdq': [9999, 200, 400], '2/decode': [1, 50, 50], '2/pdq': [1, 100, 100] }, log),
    );
    expect(log).toEqual(['1/decode', '1/pdq', '1/decode', '1/pdq', '1/decode', '1/pdq', 'close 1', '2/decode', '2/pdq', '2/decode', '2/pdq', '2/decode', '2/pdq', 'close 2']);
    expect(out.figures.map((f) => [f.params.mode, f.params.workers, f.median])).toEqual([
      ['decode', 1, 150],
      ['pdq', 1, 37.5],
      ['decode', 2, 200],
      ['pdq', 2, 100],
    ]);
    expect(out.figures[1]).toMatchObject({ min: 25, max: 50, values: [50, 25], better: 'higher', params: { corpus: 'generated:8x8:10:jpeg' } });
    expect(out.notes).toEqual([
      '1 worker(s), against the decode-only floor: pdq 0.25×',
      '2 worker(s), against the decode-only floor: pdq 0.50×',
      '2 worker(s) against 1: decode 1.33×, pdq 2.67×',
      // Round 1: 50 / 100 images/s; round 2: 25 / 200.
      '1 worker(s), median of in-round ratios to the decode floor (min–max): pdq 0.31× (0.13–0.50)',
      '2 worker(s), median of in-round ratios to the decode floor (min–max): pdq 0.50× (0.50–0.50)',
    ]);
    expect(out.errors).toEqual({ pdq: { DECODE_FAILED: 1 } });
  });

  it('closes the pool when a round throws', async () => {
    let closed = false;
    const start = async (): Promise<HashRunner> => ({
      run: async () => {
        throw new Error('boom');
      },
      close: async () => {
        closed = true;
      },
    });
    await expect(runHashBench({ corpus: 'x', images: 1, modes, workers: [1], repeat: 1, warmup: 0 }, start)).rejects.toThrow('boom');
    expect(closed).toBe(true);
  });
});
