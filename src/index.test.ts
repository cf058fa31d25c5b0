import { describe, expect, it } from 'vitest';
import { generateSource } from './synthetic/images.js';
import * as api from './index.js';

describe('public API', () => {
  it('exports hashing, the registry, every signal and the error classes', () => {
    for (const name of ['hashFile', 'hashBuffer', 'hashPixels', 'getSignal', 'parseSignalList', 'decodeImage']) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
    expect([...api.SIGNALS.keys()]).toEqual(['pdq', 'blockhash', 'md5', 'sha1', 'sha256', 'vpdq']);
    expect(api.getSignal('blockhash')).toBe(api.blockhash);
    expect(api.FILE_ERROR_CODES).toContain('EMPTY_FILE');
  });

  it('hashes a buffer end to end with the default signals', async () => {
    const r = await api.hashBuffer(await generateSource(9, 128, 96));
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.hashes)).toEqual([...api.DEFAULT_SIGNAL_NAMES]);
    expect(r.hashes.sha256.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
