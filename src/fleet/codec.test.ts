import { describe, expect, test } from 'vitest';
import { fromBytes } from '../scan/fs-path.js';
import { BatchVersionError, decodeBatch, decodePath, encodeBatch, encodePath, encodeResult, decodeResult, mapPath, type BatchJob } from './codec.js';
import { DEFAULT_HASH_OPTIONS } from '../signals/types.js';

const m = (from: string, to: string) => ({ from: Buffer.from(from), to: Buffer.from(to) });

describe('fleet codec', () => {
  test('a path that is not UTF-8 survives encoding byte for byte and stays a Buffer for fs', () => {
    const bytes = Buffer.from([0x2f, 0x74, 0x2f, 0xff, 0xfe, 0x61, 0x2e, 0x6a, 0x70, 0x67]);
    const back = decodePath(encodePath(bytes));
    expect(back.equals(bytes)).toBe(true);
    expect(Buffer.isBuffer(fromBytes(back))).toBe(true);
    expect(fromBytes(decodePath(encodePath('/t/é ü.jpg')))).toBe('/t/é ü.jpg');
  });

  test('a batch carries the shared task once and every path and stat flag', () => {
    const template = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: { maxPixels: 5 }, video: {} };
    const job = encodeBatch(template, [{ ...template, path: '/a/1.png', stat: true }, { ...template, path: '/a/2.png' }]);
    const tasks = decodeBatch(JSON.parse(JSON.stringify(job)));
    expect(tasks).toEqual([{ ...template, path: '/a/1.png', stat: true }, { ...template, path: '/a/2.png' }]);
  });

  test("video sampling and limits travel; the coordinator's ffmpeg and known-good digests do not; the worker's ffmpeg is used", () => {
    const video = { secondsPerHash: 0.5, limits: { maxFrames: 10, maxDurationSeconds: 60, timeoutMs: 5000 } };
    const knownGood = [{ signal: 'sha256', width: 32, count: 0, hashes: new SharedArrayBuffer(0) }];
    const template = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: {}, video: { ...video, ffmpeg: { ffmpegPath: '/coordinator/ffmpeg' } }, knownGood };
    const job = JSON.parse(JSON.stringify(encodeBatch(template, [{ ...template, path: '/a/v.mp4' }]))) as BatchJob;
    expect(JSON.stringify(job)).not.toMatch(/coordinator|knownGood/);
    const [plain] = decodeBatch(job);
    expect(plain.video).toEqual(video);
    expect(plain).not.toHaveProperty('knownGood');
    const [own] = decodeBatch(job, undefined, { ffmpeg: { ffmpegPath: '/worker/ffmpeg' } });
    expect(own.video).toEqual({ ...video, ffmpeg: { ffmpegPath: '/worker/ffmpeg' } });
    // Only what the local path reads crosses: a default secondsPerHash stays the worker's default.
    expect(decodeBatch(encodeBatch({ ...template, video: undefined }, [{ ...template, path: '/a/v.mp4' }]))[0].video).toEqual({});
  });

  test('a batch of another format (coordinator and worker of different versions) is refused with a clear error, never hashed', () => {
    const template = { signals: ['pdq'], options: DEFAULT_HASH_OPTIONS, limits: {}, video: {} };
    const job = encodeBatch(template, [{ ...template, path: '/a/1.png' }]);
    const { video: _video, ...v1 } = { ...job, v: 1 };
    for (const old of [v1, { ...job, v: 3 }]) {
      expect(() => decodeBatch(old as unknown as BatchJob)).toThrow(BatchVersionError);
      expect(() => decodeBatch(old as unknown as BatchJob)).toThrow(/format \d and this worker reads format 2: run the same hashsieve version/);
    }
    expect(() => decodeBatch(null as unknown as BatchJob)).toThrow(/Not a hashsieve batch/);
    expect(() => encodeBatch(template, [{ ...template, path: '/upload', bytes: new Uint8Array(1) }])).toThrow(/cannot be sent/);
  });

  test('results travel without their path; the coordinator puts its own back', () => {
    const w = encodeResult({ path: '/worker/side.png', size: 3, hashes: { sha256: { hash: 'ab' } }, stat: { size: 3, mtimeMs: 1 } });
    expect(w).not.toHaveProperty('path');
    expect(decodeResult('/coord/side.png', w).path).toBe('/coord/side.png');
  });

  test('path maps replace a whole leading component, first match wins', () => {
    const maps = [m('/mnt/a', '/srv/x'), m('/mnt/', '/data/')];
    const map = (p: string) => mapPath(Buffer.from(p), maps).toString();
    expect(map('/mnt/a/f.jpg')).toBe('/srv/x/f.jpg');
    expect(map('/mnt/a')).toBe('/srv/x');
    expect(map('/mnt/ab/f.jpg')).toBe('/data/ab/f.jpg');
    expect(map('/other/f.jpg')).toBe('/other/f.jpg');
  });
});
