import { describe, expect, it } from 'vitest';
import { blockhashReference, blockhashWithQuality } from './blockhash.js';
import { blockhashSimdAvailable, blockSums, type BlockhashMethod } from './blockhash-sums.js';
import { formatHex } from './hex.js';
import type { Pixels } from './types.js';

const METHODS: readonly BlockhashMethod[] = ['precise', 'quick'];

/** Seeded noise with `channels` bands, every third pixel fully transparent where there is alpha, `pad` bytes after each row. */
function noise(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number, pad = 0, fill?: number): Pixels {
  const stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = fill ?? s >>> 24;
  }
  if (channels === 2 || channels === 4) {
    for (let y = 0; y < height; y++) for (let x = y % 3; x < width; x += 3) data[y * stride + x * channels + channels - 1] = 0;
  }
  return { data, width, height, channels, stride };
}

/** The rows without the padding after the last one (sharp's buffers end at the last pixel). */
const trimmed = (p: Pixels): Pixels => ({ ...p, data: p.data.subarray(0, p.stride * (p.height - 1) + p.width * p.channels) });

function expectSameTotals(p: Pixels, bits: number, method: BlockhashMethod): void {
  const simd = blockSums(p, bits, method, true);
  const js = blockSums(p, bits, method, false);
  expect(Array.from(simd.sums), `${p.width}x${p.height}x${p.channels} +${p.stride - p.width * p.channels}, ${bits} bits, ${method}`).toEqual(Array.from(js.sums));
  expect(simd.pixelsPerBlock).toBe(js.pixelsPerBlock);
}

describe('blockhash run totals: SIMD kernel equals the JS reader', () => {
  it('the kernels are available on this Node (else every image would take the JS path)', () => {
    expect(blockhashSimdAvailable('bytes')).toBe(true);
    expect(blockhashSimdAvailable('rgba')).toBe(true);
  });

  it('every run length around the 16-byte loads, grey, RGB and RGBA, padded and trimmed rows', () => {
    for (const channels of [1, 3, 4] as const) {
      for (let w = 1; w <= 70; w++) {
        for (const pad of [0, 1, 5]) {
          const p = noise(w, 9, channels, w * 7 + channels + pad, pad);
          for (const q of [p, trimmed(p)]) for (const bits of [4, 8]) for (const method of METHODS) expectSameTotals(q, bits, method);
        }
      }
    }
  });

  it.each([
    [1, 1],
    [15, 17],
    [4097, 3],
    [3, 4097],
    [1023, 769],
    [1024, 768],
    [4032, 40],
  ])('%ix%i noise at 4..64 bits, and blockhash-core agrees', (w, h) => {
    for (const channels of [1, 2, 3, 4] as const) {
      const p = noise(w, h, channels, w + 3 * h + channels, channels === 3 ? 2 : 0);
      for (const bits of [4, 12, 16, 64]) for (const method of METHODS) expectSameTotals(p, bits, method);
      if (w * h < 2e6) expect(formatHex(blockhashWithQuality(p, 16, 'precise').hash)).toBe(formatHex(blockhashReference(p, 16, 'precise')));
    }
  });

  it('saturated rows up to the longest the kernel takes (4 MiB) do not overflow its lanes', () => {
    for (const channels of [1, 3, 4] as const) {
      const width = Math.floor(2 ** 22 / channels);
      const p = noise(width, 5, channels, 1, 0, 255);
      for (const method of METHODS) expectSameTotals(p, 4, method);
      // Every pixel is 765 (white, or fully transparent): a quick block is one row of a quarter row.
      expect(blockSums(p, 4, 'quick').sums[0]).toBe(765 * Math.floor(width / 4));
    }
  });
});
