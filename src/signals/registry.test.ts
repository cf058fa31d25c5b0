import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { md5 } from './digests.js';
import { _buildRegistryForTests, getSignal, isExact, isPerceptual, isVideo, parseSignalList, SIGNALS, signalNames } from './registry.js';

describe('signal registry', () => {
  it('lists every signal once, in order', () => {
    expect(signalNames()).toEqual(['pdq', 'blockhash', 'md5', 'sha1', 'sha256', 'vpdq']);
    for (const [name, s] of SIGNALS) expect(s.name).toBe(name);
  });

  it('rejects duplicate names at build time', () => {
    expect(() => _buildRegistryForTests([md5, { ...md5 }])).toThrow('Duplicate signal name "md5" in the registry');
  });

  it('rejects names that cannot be used in flags and reports', () => {
    expect(() => _buildRegistryForTests([{ ...md5, name: 'MD-5' }])).toThrow(/Invalid signal name/);
  });

  it('looks names up case-insensitively and reports unknown names with the known ones', () => {
    expect(getSignal(' SHA256 ').name).toBe('sha256');
    expect(() => getSignal('phash')).toThrow(UsageError);
    expect(() => getSignal('phash')).toThrow('Unknown signal "phash"; expected one of: pdq, blockhash, md5, sha1, sha256, vpdq');
  });

  it('parses a comma-separated list, keeping order and dropping duplicates', () => {
    expect(parseSignalList('sha256, pdq,sha256,,md5').map((s) => s.name)).toEqual(['sha256', 'pdq', 'md5']);
    expect(() => parseSignalList(' , ')).toThrow(UsageError);
    expect(() => parseSignalList('pdq,nope')).toThrow(/Unknown signal "nope"/);
  });

  it('classifies perceptual, exact and video signals', () => {
    expect([...SIGNALS.values()].filter(isPerceptual).map((s) => s.name)).toEqual(['pdq', 'blockhash']);
    expect([...SIGNALS.values()].filter(isExact).map((s) => s.name)).toEqual(['md5', 'sha1', 'sha256']);
    expect([...SIGNALS.values()].filter(isVideo).map((s) => [s.name, s.media])).toEqual([['vpdq', 'video']]);
    for (const s of SIGNALS.values()) {
      if (isPerceptual(s) || isVideo(s)) expect(s.defaultThreshold).toBeGreaterThan(0);
      else expect(s.defaultThreshold).toBe(0);
    }
  });
});
