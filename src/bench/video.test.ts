import { describe, expect, it } from 'vitest';
import { formatVideoBench, runFrameTiming, type VideoBenchConfig } from './video.js';

describe('bench video: per-frame PDQ timing', () => {
  it('times the SIMD kernel and the JS loops on each size and prints both', () => {
    const frames = runFrameTiming(['96x80', '130x70'], 2, 1);
    expect(frames.map((f) => f.size)).toEqual(['96x80', '130x70']);
    for (const f of frames) {
      expect(f.jsMs).toBeGreaterThan(0);
      expect(f.simdMs).toBeGreaterThan(0);
    }
    const config = { sizes: [], seconds: 1, rate: 30, workers: [1], rounds: 1, listVideos: 1, framesPerVideo: 1, queries: 1, seed: 1 } as VideoBenchConfig;
    const text = formatVideoBench({ config, frames, throughput: [], lookup: null });
    expect(text).toMatch(/per-frame PDQ in-process \(noise 96x80\): SIMD \d+\.\d ms, JS \d+\.\d ms/);
    expect(text).toMatch(/noise 130x70/);
  });
});
