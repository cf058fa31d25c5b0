import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BLOCKHASH_VECTORS, PDQ_VECTORS, pdqPhotos } from './vectors.js';

const ROOT = join(PDQ_VECTORS, '..', '..', '..');
const MAX_COMMITTED_BYTES = 2 * 1024 * 1024;

describe('vendored conformance vectors', () => {
  it('carry the core every clone runs', () => {
    for (const p of ['golden', 'decoded', 'lists', 'expected-cpp-cli.csv', 'expected-fullres.csv']) {
      expect(existsSync(join(PDQ_VECTORS, p)), p).toBe(true);
    }
    expect(existsSync(join(BLOCKHASH_VECTORS, 'stoplights_16_2.txt'))).toBe(true);
  });

  it('without the large photos: null and one line saying where they come from', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(pdqPhotos({}, '/nonexistent/pdq/images')).toBeNull();
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0][0])).toMatch(/^skipped: .*facebook\/ThreatExchange.*\n$/);
    } finally {
      write.mockRestore();
    }
  });

  it('without the large photos under CI=true: an error', () => {
    expect(() => pdqPhotos({ CI: 'true' }, '/nonexistent/pdq/images')).toThrow(/CI=true/);
  });

  it('no committed file is over 2 MB', () => {
    if (!existsSync(join(ROOT, '.git'))) return;
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const big = files.filter((f) => existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).size > MAX_COMMITTED_BYTES);
    expect(big).toEqual([]);
  });
});
