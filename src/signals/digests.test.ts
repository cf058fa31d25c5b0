import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashFormatError } from '../errors.js';
import { md5, sha1, sha256 } from './digests.js';

const KNOWN: ReadonlyArray<[typeof md5, string, string]> = [
  [md5, '', 'd41d8cd98f00b204e9800998ecf8427e'],
  [md5, 'abc', '900150983cd24fb0d6963f7d28e17f72'],
  [sha1, '', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  [sha1, 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  [sha256, '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  [sha256, 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
];

describe('exact digest signals', () => {
  it.each(KNOWN.map(([s, i, h]) => [s.name, s, i, h] as const))('%s of %j is the published test vector', (_name, signal, input, hex) => {
    const digest = createHash(signal.algorithm).update(input).digest();
    expect(signal.format(digest)).toBe(hex);
    expect(signal.bits).toBe(hex.length * 4);
  });

  it.each([md5, sha1, sha256])('$name: hex round-trip, case-insensitive parse, distance', (signal) => {
    const a = createHash(signal.algorithm).update('one').digest();
    const b = createHash(signal.algorithm).update('two').digest();
    const hex = signal.format(a);
    expect(signal.kind).toBe('exact');
    expect(signal.defaultThreshold).toBe(0);
    expect(signal.distance(signal.parse(hex), a)).toBe(0);
    expect(signal.distance(signal.parse(hex.toUpperCase()), a)).toBe(0);
    expect(signal.distance(a, b)).toBeGreaterThan(0);
  });

  it.each([md5, sha1, sha256])('$name: rejects the wrong length and non-hex with an actionable message', (signal) => {
    const chars = signal.bits / 4;
    expect(() => signal.parse('0'.repeat(chars - 1))).toThrow(
      new HashFormatError(`Expected ${chars} hex characters for a ${signal.name} hash but received ${chars - 1}`),
    );
    expect(() => signal.parse(`z${'0'.repeat(chars - 1)}`)).toThrow(HashFormatError);
  });
});
