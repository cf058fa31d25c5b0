import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinearIndex } from '../search/linear.js';
import { flippedCopy, hashAt, randomPacked } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';
import type { PackedHashes } from '../search/types.js';
import { cachedHammingIndex, indexKey } from './index-cache.js';

const root = mkdtempSync(join(tmpdir(), 'hashsieve-index-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RADIUS = 31;

function answersLikeLinear(index: { query(q: Uint8Array, r: number): unknown }, packed: PackedHashes): void {
  const linear = LinearIndex.build(packed);
  const rand = createPrng(11);
  for (let i = 0; i < 30; i++) {
    const q = flippedCopy(rand, hashAt(packed, (i * 37) % packed.count), i % 20);
    expect(index.query(q, RADIUS)).toEqual(linear.query(q, RADIUS));
  }
}

describe('cachedHammingIndex', () => {
  const packed = randomPacked(createPrng(5), 256, 3000);

  it('builds and saves (0600 in a 0700 folder), then restores an index that answers the same', () => {
    const dir = join(root, 'a', 'cache');
    const first = cachedHammingIndex(packed, RADIUS, dir);
    expect(first).toMatchObject({ source: 'built', warning: null });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, files[0])).mode & 0o777).toBe(0o600);
    const second = cachedHammingIndex(packed, RADIUS, dir);
    expect(second).toMatchObject({ source: 'cache', warning: null });
    answersLikeLinear(second.index, packed);
  });

  it('any change to the hashes, the ids or the radius is another key', () => {
    const ids = packed.ids.slice();
    ids[7] += 1;
    const bytes = packed.bytes.slice();
    bytes[100] ^= 1;
    const keys = new Set([
      indexKey(packed, RADIUS),
      indexKey({ ...packed, ids }, RADIUS),
      indexKey({ ...packed, bytes }, RADIUS),
      indexKey(packed, RADIUS - 1),
    ]);
    expect(keys.size).toBe(4);
  });

  it('a damaged or truncated file is dropped with a warning and rebuilt', () => {
    const dir = join(root, 'b');
    cachedHammingIndex(packed, RADIUS, dir);
    const file = join(dir, readdirSync(dir)[0]);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)] ^= 0x40;
    for (const bad of [flipped, good.subarray(0, good.length - 100), Buffer.alloc(0)]) {
      writeFileSync(file, bad);
      const r = cachedHammingIndex(packed, RADIUS, dir);
      expect(r.source).toBe('built');
      expect(r.warning).toMatch(/could not read the index cache .*rebuilding/);
      answersLikeLinear(r.index, packed);
      expect(readFileSync(file).equals(good)).toBe(true);
      expect(cachedHammingIndex(packed, RADIUS, dir).source).toBe('cache');
    }
  });

  it('a file in another index format is replaced without a warning', () => {
    const dir = join(root, 'd');
    cachedHammingIndex(packed, RADIUS, dir);
    const file = join(dir, readdirSync(dir)[0]);
    const good = readFileSync(file);
    const older = Buffer.from(good);
    older.write('{"format":0', older.indexOf('{"format":'), 'latin1');
    writeFileSync(file, older);
    expect(cachedHammingIndex(packed, RADIUS, dir)).toMatchObject({ source: 'built', warning: null });
    expect(cachedHammingIndex(packed, RADIUS, dir).source).toBe('cache');
  });

  it('a folder that cannot be written is a warning, not a failure', () => {
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const r = cachedHammingIndex(packed, RADIUS, join(blocker, 'cache'));
    expect(r.source).toBe('built');
    expect(r.warning).toMatch(/could not write the index cache/);
    answersLikeLinear(r.index, packed);
  });

  it('keeps only the most recently used files', () => {
    const dir = join(root, 'c');
    for (let i = 0; i < 10; i++) cachedHammingIndex(randomPacked(createPrng(100 + i), 64, 50), 10, dir);
    expect(readdirSync(dir)).toHaveLength(8);
  });
});
