import { describe, expect, it } from 'vitest';
import { formatHex } from '../signals/hex.js';
import { compareVideos, prepareFrames, resolveMatchOptions, VpdqIndex, type FrameInput } from './match.js';

/** A deterministic 32-byte hash from a seed. */
function hashOf(seed: number): Uint8Array {
  const out = new Uint8Array(32);
  let s = seed * 2654435761 + 1;
  for (let i = 0; i < 32; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** `h` with its first `n` bits flipped. */
function flip(h: Uint8Array, n: number): Uint8Array {
  const out = Uint8Array.from(h);
  for (let b = 0; b < n; b++) out[b >> 3] ^= 1 << (b & 7);
  return out;
}

const frame = (hash: Uint8Array, quality = 100): FrameInput => ({ hash: formatHex(hash), quality });

describe('prepareFrames', () => {
  it('drops repeated hashes (first kept) before the quality cut-off', () => {
    const a = hashOf(1);
    const b = hashOf(2);
    expect(prepareFrames([frame(a), frame(a), frame(b, 49), frame(b, 90)], 50)).toEqual([a]);
    expect(prepareFrames([frame(b, 90), frame(b, 49)], 50)).toEqual([b]);
  });
});

describe('compareVideos', () => {
  const base = Array.from({ length: 10 }, (_, i) => hashOf(i + 10));

  it('a frame matches at distance 31 inclusive, not 32', () => {
    const at31 = compareVideos([frame(flip(base[0], 31))], [frame(base[0])]);
    expect(at31).toEqual({ queryMatchPercent: 100, comparedMatchPercent: 100, matched: true });
    const at32 = compareVideos([frame(flip(base[0], 32))], [frame(base[0])]);
    expect(at32.queryMatchPercent).toBe(0);
    expect(at32.matched).toBe(false);
  });

  it('the query share must reach 80 %: 8 of 10 matches, 7 of 10 does not', () => {
    const query = (n: number) => base.map((h, i) => frame(i < n ? h : hashOf(1000 + i)));
    const compared = base.map((h) => frame(h));
    expect(compareVideos(query(8), compared)).toMatchObject({ queryMatchPercent: 80, comparedMatchPercent: 80, matched: true });
    expect(compareVideos(query(7), compared)).toMatchObject({ queryMatchPercent: 70, matched: false });
  });

  it('the compared share has its own threshold (default 0 %)', () => {
    const query = base.slice(0, 2).map((h) => frame(h));
    const compared = base.map((h) => frame(h));
    expect(compareVideos(query, compared)).toMatchObject({ queryMatchPercent: 100, comparedMatchPercent: 20, matched: true });
    expect(compareVideos(query, compared, { comparedMatchPercent: 50 }).matched).toBe(false);
  });

  it('low-quality frames neither count nor match', () => {
    const query = [frame(base[0]), frame(hashOf(77), 10)];
    const compared = [frame(base[0]), frame(hashOf(77), 10)];
    expect(compareVideos(query, compared)).toMatchObject({ queryMatchPercent: 100, comparedMatchPercent: 100 });
    expect(compareVideos([frame(base[0], 49)], [frame(base[0])]).matched).toBe(false);
  });

  it('duplicated frames count once on each side', () => {
    const query = [frame(base[0]), frame(base[0]), frame(base[0]), frame(hashOf(500))];
    expect(compareVideos(query, [frame(base[0])])).toMatchObject({ queryMatchPercent: 50 });
  });

  it('empty videos (or all frames below quality) give 0 % and never match, without dividing by zero', () => {
    expect(compareVideos([], [frame(base[0])])).toEqual({ queryMatchPercent: 0, comparedMatchPercent: 0, matched: false });
    expect(compareVideos([frame(base[0])], [])).toEqual({ queryMatchPercent: 0, comparedMatchPercent: 0, matched: false });
    expect(compareVideos([frame(base[0], 0)], [frame(base[0], 0)], { queryMatchPercent: 0 }).matched).toBe(false);
  });

  it('rejects thresholds out of range', () => {
    expect(() => resolveMatchOptions({ queryMatchPercent: 101 })).toThrow(/queryMatchPercent/);
    expect(() => resolveMatchOptions({ frameThreshold: -1 })).toThrow(/frameThreshold/);
  });
});

describe('VpdqIndex', () => {
  it('finds the same videos and percentages as comparing the query with every list video', () => {
    const videos = Array.from({ length: 60 }, (_, v) => ({
      id: `v${v}`,
      frames: Array.from({ length: 5 + (v % 7) }, (_, i) => frame(hashOf(v * 100 + i), 40 + ((v + i) % 61))),
    }));
    const index = VpdqIndex.build(videos);
    for (const target of [0, 7, 33, 59]) {
      // A query made of noisy copies of most of the target's frames plus unrelated ones.
      const src = videos[target].frames;
      const query = [
        ...src.map((f, i) => ({ hash: flip(hashOf(target * 100 + i), (i * 9) % 40), quality: f.quality })),
        frame(hashOf(99_999)),
      ];
      const brute = videos
        .map((v) => ({ id: v.id, ...compareVideos(query, v.frames) }))
        .filter((r) => r.queryMatchPercent > 0 || r.comparedMatchPercent > 0);
      const got = index.query(query, true);
      expect(got.map((g) => ({ id: g.id, q: g.queryMatchPercent, c: g.comparedMatchPercent, m: g.matched })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        brute.map((b) => ({ id: b.id, q: b.queryMatchPercent, c: b.comparedMatchPercent, m: b.matched })).sort((a, b) => a.id.localeCompare(b.id)),
      );
    }
  });

  it('returns only matches by default, best first; an empty index or query finds nothing', () => {
    const a = Array.from({ length: 5 }, (_, i) => hashOf(i));
    const index = VpdqIndex.build([
      { id: 'a', frames: a.map((h) => frame(h)) },
      { id: 'half', frames: a.slice(0, 4).map((h) => frame(h)) },
      { id: 'other', frames: [frame(hashOf(42))] },
    ]);
    expect(index.query(a.map((h) => frame(h))).map((m) => [m.id, m.queryMatchPercent])).toEqual([
      ['a', 100],
      ['half', 80],
    ]);
    expect(index.query([])).toEqual([]);
    expect(VpdqIndex.build([]).query(a.map((h) => frame(h)))).toEqual([]);
    expect(VpdqIndex.build([{ id: 'lowq', frames: [frame(a[0], 1)] }]).query([frame(a[0])])).toEqual([]);
  });
});
