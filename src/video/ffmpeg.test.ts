import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegMissingError, liveChildCount, parseProbe, resolveFfmpeg } from './ffmpeg.js';
import { hashVideoFile } from './hash.js';

/** Fake ffmpeg/ffprobe programs (shell scripts) for decoder behaviours a real file cannot provoke. */
let dir: string;
const probeJson = (rate: string) =>
  JSON.stringify({ streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 64, height: 48, pix_fmt: 'yuv420p', avg_frame_rate: rate, r_frame_rate: rate }], format: { duration: '1.0' } });

function fake(name: string, probe: string, ffmpegBody: string): string {
  writeFileSync(join(dir, `${name}.json`), probe);
  const bin = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(bin, 'ffprobe'), `#!/bin/sh\ncat '${join(dir, `${name}.json`)}'\n`);
  writeFileSync(join(bin, 'ffmpeg'), `#!/bin/sh\n${ffmpegBody}\n`);
  chmodSync(join(bin, 'ffprobe'), 0o755);
  chmodSync(join(bin, 'ffmpeg'), 0o755);
  return join(bin, 'ffmpeg');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-fakeff-'));
  writeFileSync(join(dir, 'v.mp4'), 'not read by the fakes');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveFfmpeg', () => {
  it('names the apt command when ffmpeg is missing', () => {
    expect(() => resolveFfmpeg({ ffmpegPath: join(dir, 'nope', 'ffmpeg') })).toThrow(FfmpegMissingError);
    expect(() => resolveFfmpeg({ ffmpegPath: join(dir, 'nope', 'ffmpeg') })).toThrow(/apt-get install -y ffmpeg/);
  });
  it('takes ffprobe from beside a configured ffmpeg', () => {
    const ffmpeg = fake('beside', probeJson('25/1'), 'exit 0');
    expect(resolveFfmpeg({ ffmpegPath: ffmpeg }).ffprobe).toBe(join(ffmpeg, '..', 'ffprobe'));
  });
});

describe('parseProbe', () => {
  it('picks the lowest-index video stream, whatever comes first in the JSON', () => {
    const p = parseProbe(JSON.stringify({ streams: [{ index: 2, codec_type: 'video', width: 8, height: 8 }, { index: 0, codec_type: 'audio' }, { index: 1, codec_type: 'video', width: 16, height: 16 }] }));
    expect(p.streamIndex).toBe(1);
    expect(p.width).toBe(16);
  });
  it('a file without a video stream is UNSUPPORTED_FORMAT', () => {
    expect(() => parseProbe(JSON.stringify({ streams: [{ index: 0, codec_type: 'audio' }] }))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }));
  });
});

describe('decoder failures are coded per-file errors and leave no child behind', () => {
  it('no frame rate at all → DECODE_FAILED', async () => {
    const ffmpegPath = fake('norate', probeJson('0/0'), 'exit 0');
    await expect(hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath } })).rejects.toMatchObject({ code: 'DECODE_FAILED', message: /no frame rate/ });
    expect(liveChildCount()).toBe(0);
  });
  it('ffmpeg starts beside ffprobe: a probe that refuses the file kills it at once', async () => {
    const ffmpegPath = fake('waiting', probeJson('0/0'), 'exec sleep 30');
    const started = performance.now();
    await expect(hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath } })).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(liveChildCount()).toBe(0);
  });
  it('frames an early ffmpeg wrote before the probe answered are all read (none dropped)', async () => {
    const ffmpegPath = fake('eager', probeJson('25/1'), 'head -c 27648 /dev/zero');
    const bin = join(ffmpegPath, '..');
    writeFileSync(join(bin, 'ffprobe'), `#!/bin/sh\nsleep 0.3\ncat '${join(dir, 'eager.json')}'\n`);
    const r = await hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath }, secondsPerHash: 0 });
    expect(r.frames.map((f) => f.frame)).toEqual([0, 1, 2]);
    expect(liveChildCount()).toBe(0);
  });
  it('ffmpeg killed by a signal mid-stream → DECODER_CRASHED', async () => {
    const ffmpegPath = fake('crash', probeJson('25/1'), 'head -c 9216 /dev/zero; kill -SEGV $$');
    await expect(hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath } })).rejects.toMatchObject({ code: 'DECODER_CRASHED', message: /SIGSEGV/ });
    expect(liveChildCount()).toBe(0);
  });
  it('ffmpeg failing → DECODE_FAILED; a partial frame is an error too', async () => {
    const fails = fake('fails', probeJson('25/1'), 'exit 1');
    await expect(hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath: fails } })).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    const partial = fake('partial', probeJson('25/1'), 'head -c 100 /dev/zero');
    await expect(hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath: partial } })).rejects.toMatchObject({ code: 'DECODE_FAILED', message: /partial/ });
  });
  it('an endless stream hits the timeout; an abort stops it; the child is killed either way', async () => {
    const ffmpegPath = fake('endless', probeJson('25/1'), 'exec cat /dev/zero');
    const started = performance.now();
    await expect(
      hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath }, secondsPerHash: 0, limits: { timeoutMs: 300, maxDurationSeconds: 1e9, maxFrames: 1e12 } }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(liveChildCount()).toBe(0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(
      hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath }, signal: controller.signal, limits: { maxDurationSeconds: 1e9, maxFrames: 1e12 } }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', message: /interrupted/ });
    expect(liveChildCount()).toBe(0);
  });
  it('an endless stream is also cut by the frame limit (TOO_LARGE)', async () => {
    const ffmpegPath = fake('endless2', probeJson('25/1'), 'exec cat /dev/zero');
    await expect(hashVideoFile(join(dir, 'v.mp4'), { ffmpeg: { ffmpegPath }, secondsPerHash: 0, limits: { maxFrames: 50 } })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(liveChildCount()).toBe(0);
  });
});
