import { describe, expect, test } from 'vitest';
import { fromBytes } from '../scan/fs-path.js';
import { decodeBatch, decodePath, encodeBatch, encodePath, encodeResult, decodeResult, mapPath } from './codec.js';
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
    const template = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: { maxPixels: 5 } };
    const job = encodeBatch(template, [{ ...template, path: '/a/1.png', stat: true }, { ...template, path: '/a/2.png' }]);
    const tasks = decodeBatch(JSON.parse(JSON.stringify(job)));
    expect(tasks).toEqual([{ ...template, path: '/a/1.png', stat: true }, { ...template, path: '/a/2.png' }]);
    expect(() => decodeBatch({ ...job, v: 2 as 1 })).toThrow(/Not a hashsieve batch/);
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
