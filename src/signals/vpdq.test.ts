import { describe, expect, it } from 'vitest';
import { jaroszDecimate } from './pdq/jarosz.js';
import { fillLuma } from './pdq/luma.js';
import { computePdq, hashFromBuffer64 } from './pdq/pipeline.js';
import type { Pixels } from './types.js';
import { formatHex } from './hex.js';
import {
  formatFixed3,
  formatPython3,
  formatVpdqFile,
  frameModulus,
  frameTimestamp,
  hashRgbFrame,
  referenceFrameRate,
} from './vpdq.js';

describe('formatFixed3 (printf %.3f of the exact binary value)', () => {
  it('rounds exact ties to even, where toFixed rounds up', () => {
    expect(formatFixed3(0.0625)).toBe('0.062');
    expect((0.0625).toFixed(3)).toBe('0.063');
    expect(formatFixed3(0.1875)).toBe('0.188');
    expect(formatFixed3(0.3125)).toBe('0.312');
    expect(formatFixed3(2.5e-3 * 0 + 0.0005)).toBe('0.001');
  });
  it('rounds a value just below or above a tie by its exact digits', () => {
    expect(formatFixed3(1.0005)).toBe('1.000'); // 1.000499999999999989...
    expect(formatFixed3(0)).toBe('0.000');
    expect(formatFixed3(125.3)).toBe('125.300');
    expect(formatFixed3(1e6 + 0.25)).toBe('1000000.250');
  });
  it('prints the float32 timestamps of the reference', () => {
    expect(formatFixed3(frameTimestamp(239, 30000 / 1001))).toBe('7.975');
    expect(formatFixed3(frameTimestamp(1, 16))).toBe('0.062');
    expect(formatFixed3(frameTimestamp(3, 16))).toBe('0.188');
    expect(formatFixed3(frameTimestamp(5, 16))).toBe('0.312');
    expect(formatFixed3(frameTimestamp(1, 30000 / 1001))).toBe('0.033');
  });
});

describe("formatPython3 (Python's format(x, '.3'), as python-threatexchange writes timestamps)", () => {
  it('matches CPython on fixed, exponent, carry and tie cases', () => {
    // Expected values printed by CPython 3.11.
    const cases: [number, string][] = [
      [7.974999904632568, '7.97'],
      [1, '1.0'],
      [0.0625, '0.0625'],
      [0.03333333507180214, '0.0333'],
      [125.3, '1.25e+02'],
      [100, '1e+02'],
      [0, '0.0'],
      [1e-5, '1e-05'],
      [0.00012345, '0.000123'],
      [999.5, '1e+03'],
      [9.995, '9.99'],
      [12, '12.0'],
      [99.95, '1e+02'],
    ];
    for (const [v, want] of cases) expect(formatPython3(v), String(v)).toBe(want);
  });
});

describe('frame selection', () => {
  it('truncates secondsPerHash x rate, at least 1', () => {
    expect(frameModulus(1, 30000 / 1001)).toBe(29);
    expect(frameModulus(1, 24000 / 1001)).toBe(23);
    expect(frameModulus(1, 24)).toBe(24);
    expect(frameModulus(1, 15)).toBe(15);
    expect(frameModulus(1, 1)).toBe(1);
    expect(frameModulus(0, 25)).toBe(1);
    expect(frameModulus(0.5, 25)).toBe(12);
    expect(frameModulus(1, 0.5)).toBe(1);
  });
  it('widens secondsPerHash from float32 as std::stof does', () => {
    // float32(0.1) is 0.100000001490116..., so 0.1 x 10 truncates to 1, not 0.
    expect(frameModulus(0.1, 10)).toBe(1);
    expect(frameModulus(0.3, 10)).toBe(3); // float32(0.3) = 0.30000001192...
  });
  it('rejects a negative or non-finite step', () => {
    expect(() => frameModulus(-1, 25)).toThrow(/secondsPerHash/);
    expect(() => frameModulus(Number.NaN, 25)).toThrow(/secondsPerHash/);
  });
  it('takes avg_frame_rate, else r_frame_rate when the average has a zero part', () => {
    expect(referenceFrameRate('30000/1001', '30/1')).toBe(30000 / 1001);
    expect(referenceFrameRate('0/0', '25/1')).toBe(25);
    expect(referenceFrameRate('0/1', '25/1')).toBe(25);
    expect(referenceFrameRate('0/0', '0/0')).toBeNull();
    expect(referenceFrameRate(undefined, 'N/A')).toBeNull();
  });
});

function noiseRgb(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = s >>> 24;
    }
  }
  return data;
}

/** The reference's 64x64 buffer: float32-weighted luma, Jarosz filter, decimation. */
function buffer64(pixels: Pixels): Float32Array {
  const n = pixels.width * pixels.height;
  const luma = new Float32Array(n);
  fillLuma(pixels, pixels, 'float32', false, luma);
  const out = new Float32Array(64 * 64);
  jaroszDecimate(luma, new Float32Array(n), pixels.width, pixels.height, out);
  return out;
}

describe('hashRgbFrame', () => {
  it('equals the still-image PDQ (float32 luma, full resolution) of the same RGB pixels', () => {
    for (const [w, h] of [[320, 240], [97, 61], [500, 300]]) {
      const pixels = { data: noiseRgb(w, h, w), width: w, height: h, channels: 3 as const, stride: w * 3 };
      const still = computePdq(pixels, true);
      const frame = hashRgbFrame(pixels);
      expect(formatHex(frame.hash)).toBe(formatHex(still.hash));
      expect(frame.quality).toBe(still.quality);
    }
  });
  it('hashes a grey frame through the float32 weights (no grey shortcut)', () => {
    // 0.299f*v + 0.587f*v + 0.114f*v is not v for 35 of the 256 grey levels (15 is one).
    const f = Math.fround;
    expect(f(f(f(f(0.299) * 15) + f(f(0.587) * 15)) + f(f(0.114) * 15))).not.toBe(15);
    const w = 80;
    const h = 70;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.fill([15, 30, 37, 45][(i * 7 + (i >> 5)) % 4], i * 3, i * 3 + 3);
    const pixels = { data, width: w, height: h, channels: 3 as const, stride: w * 3 };
    const frame = hashRgbFrame(pixels);
    const viaWeights = hashFromBuffer64(buffer64(pixels));
    expect(formatHex(frame.hash)).toBe(formatHex(viaWeights.hash));
  });
  it('uses a 64x64 frame as the 64x64 buffer, with no box filter', () => {
    const pixels = { data: noiseRgb(64, 64, 3), width: 64, height: 64, channels: 3 as const, stride: 64 * 3 };
    const luma = new Float32Array(64 * 64);
    fillLuma(pixels, { width: 64, height: 64 }, 'float32', false, luma);
    const direct = hashFromBuffer64(luma);
    const frame = hashRgbFrame(pixels);
    expect(formatHex(frame.hash)).toBe(formatHex(direct.hash));
    expect(frame.quality).toBe(direct.quality);
  });
  it('refuses frames under 5 px on a side as a per-file error', () => {
    const pixels = { data: new Uint8Array(4 * 40 * 3), width: 4, height: 40, channels: 3 as const, stride: 12 };
    expect(() => hashRgbFrame(pixels)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
  });
});

describe('formatVpdqFile', () => {
  it('sorts by frame number and ends every line with a newline; no frames, empty text', () => {
    const f = (frame: number) => ({ frame, quality: 100, hash: 'ab'.repeat(32), timestamp: '0.000' });
    expect(formatVpdqFile([f(2), f(0)])).toBe(`0,100,${'ab'.repeat(32)},0.000\n2,100,${'ab'.repeat(32)},0.000\n`);
    expect(formatVpdqFile([])).toBe('');
  });
});
