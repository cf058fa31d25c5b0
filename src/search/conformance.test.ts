import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PDQ_VECTORS } from '../../test/conformance/vectors.js';
import { hammingBytes } from '../signals/hex.js';
import { LinearIndex } from './linear.js';
import { MultiIndexHash } from './mih.js';
import type { PackedHashes } from './types.js';

const LISTS = join(PDQ_VECTORS, 'lists') + sep;

function readHashes(file: string): Uint8Array[] {
  return readFileSync(LISTS + file, 'utf8')
    .split(/\s+/)
    .filter(Boolean)
    .map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));
}

function pack(hashes: Uint8Array[]): PackedHashes {
  const bits = hashes[0].length * 8;
  const bytes = new Uint8Array(hashes.length * hashes[0].length);
  hashes.forEach((h, i) => bytes.set(h, i * h.length));
  return { bits, count: hashes.length, bytes, ids: Uint32Array.from(hashes, (_, i) => i) };
}

describe('PDQ reference lists (haystack / needles)', () => {
  const haystack = readHashes('haystack.txt');
  const needles = readHashes('needles.txt');
  const packed = pack(haystack);

  it('the reference data: 1,350 haystack hashes and 100 needles, each needle within 4 bits of one', () => {
    expect([haystack.length, needles.length]).toEqual([1350, 100]);
    const nearest = needles.map((n) => Math.min(...haystack.map((h) => hammingBytes(h, n))));
    expect(nearest.filter((d) => d === 0).length).toBe(50);
    expect(Math.max(...nearest)).toBeLessThanOrEqual(4);
  });

  it('MultiIndexHash returns what LinearIndex returns for every needle at radii 0..40 and 48, 64, 128, 256', () => {
    const linear = LinearIndex.build(packed);
    const mih = MultiIndexHash.build(packed, { strategy: 'mih' });
    const auto = MultiIndexHash.build(packed);
    let matches = 0;
    for (const radius of [...Array.from({ length: 41 }, (_, r) => r), 48, 64, 128, 256]) {
      for (const needle of radius > 64 ? needles.slice(0, 10) : needles) {
        const want = linear.query(needle, radius);
        expect(mih.query(needle, radius)).toEqual(want);
        expect(auto.query(needle, radius)).toEqual(want);
        matches += want.length;
      }
    }
    expect(matches).toBeGreaterThan(100 * 43);
  });

  it('at the PDQ threshold (31) every needle finds its haystack entry, as a byte-by-byte comparison does', () => {
    const mih = MultiIndexHash.build(packed, { radius: 31 });
    for (const needle of needles) {
      const want = haystack.flatMap((h, id) => {
        const distance = hammingBytes(h, needle);
        return distance <= 31 ? [{ id, distance }] : [];
      });
      want.sort((a, b) => a.distance - b.distance || a.id - b.id);
      expect(mih.query(needle, 31)).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
    }
  });

  for (const file of ['long256.dat', 'long64.dat', 'short256.dat', 'short64.dat', 'order256.dat']) {
    it(`${file}: every hash queried against the list agrees with LinearIndex`, () => {
      const hashes = readHashes(file);
      const list = pack(hashes);
      const linear = LinearIndex.build(list);
      const mih = MultiIndexHash.build(list, { strategy: 'mih' });
      const auto = MultiIndexHash.build(list);
      const bits = list.bits;
      for (const [i, q] of hashes.entries()) {
        for (const radius of [0, 1, 2, 4, 8, 10, 16]) expect(mih.query(q, radius)).toEqual(linear.query(q, radius));
        if (i < 25) for (const radius of [31, bits / 2, bits]) expect(auto.query(q, radius)).toEqual(linear.query(q, radius));
        expect(mih.query(q, 0).length).toBeGreaterThan(0);
      }
    });
  }
});
