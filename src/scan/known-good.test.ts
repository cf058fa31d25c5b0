import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { getSignal } from '../signals/registry.js';
import type { StoreReader } from '../store/types.js';
import type { FileHashResult } from '../results.js';
import type { MatchOutcome } from './matcher.js';
import { buildKnownGoodSet, isKnownGood, withKnownGood } from './known-good.js';

/** A matcher that always answers `outcome`. */
function fixed(outcome: MatchOutcome): { match(r: FileHashResult): MatchOutcome } {
  return { match: () => outcome };
}

/** A store whose sha1 entries are `hashes`, in the order given (as several appended lists would be). */
function storeOf(hashes: readonly Buffer[]): StoreReader {
  return {
    lists: () => [],
    loadPacked: (signal) => {
      const bits = getSignal(signal).bits;
      if (signal !== 'sha1') return { bits, count: 0, bytes: new Uint8Array(0), ids: new Uint32Array(0) };
      return { bits, count: hashes.length, bytes: new Uint8Array(Buffer.concat(hashes)), ids: new Uint32Array(hashes.length) };
    },
    entries: () => new Map(),
    close: () => undefined,
  };
}

describe('known-good set', () => {
  test('unsorted digests with duplicates: sorted, deduplicated, every one found, others not', () => {
    const hashes = Array.from({ length: 2000 }, () => randomBytes(20));
    const set = buildKnownGoodSet(storeOf([...hashes, ...hashes.slice(0, 100)]), ['a', 'b'], [getSignal('sha1'), getSignal('md5')]);
    expect(set).toHaveLength(1);
    expect(set[0].count).toBe(2000);
    expect(set[0].hashes).toBeInstanceOf(SharedArrayBuffer);
    for (const h of hashes) expect(isKnownGood(set, { sha1: { hash: h.toString('hex') } })).toBe(true);
    for (let i = 0; i < 200; i++) expect(isKnownGood(set, new Map([['sha1', { hash: randomBytes(20).toString('hex') }]]))).toBe(false);
    expect(isKnownGood(set, { md5: { hash: hashes[0].subarray(0, 16).toString('hex') } })).toBe(false);
  });

  test('no known-good lists: no set, and the matcher is returned as it is', () => {
    expect(buildKnownGoodSet(storeOf([randomBytes(20)]), [], [getSignal('sha1')])).toEqual([]);
    const inner = fixed({ status: 'clean', matches: [] });
    expect(withKnownGood(inner, [])).toBe(inner);
  });

  test('a match or an error is never turned into known_good', () => {
    const h = randomBytes(20);
    const set = buildKnownGoodSet(storeOf([h]), ['a'], [getSignal('sha1')]);
    const file = { path: 'f', size: 1, hashes: { sha1: { hash: h.toString('hex') } } };
    const m = { list: 'l', entry: null, category: null, signal: 'sha1', distance: 0, transform: null };
    expect(withKnownGood(fixed({ status: 'match', matches: [m] }), set).match(file).status).toBe('match');
    expect(withKnownGood(fixed({ status: 'error', matches: [] }), set).match(file).status).toBe('error');
    expect(withKnownGood(fixed({ status: 'clean', matches: [] }), set).match(file).status).toBe('known_good');
  });
});
