import { describe, expect, it, vi } from 'vitest';
import { run } from '../bench/scan.js';

describe('bench scan arguments', () => {
  it('--help prints the options and runs nothing', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await run(['--help']);
      const out = write.mock.calls.map((c) => String(c[0])).join('');
      expect(out).toMatch(/^Usage: npm run bench -- scan/);
      for (const o of ['--small', '--large', '--list', '--tiny', '--workers', '--rounds', '--seed', '--pipeline', '--cache']) expect(out).toContain(o);
      expect(out).not.toMatch(/# bench scan/);
    } finally {
      write.mockRestore();
    }
  });

  it('rejects bad values before generating anything', async () => {
    await expect(run(['--rounds', '0'])).rejects.toThrow(/--rounds/);
    await expect(run(['--workers', '1,x'])).rejects.toThrow(/--workers/);
    await expect(run(['--pipeline', 'slow'])).rejects.toThrow(/--pipeline/);
    await expect(run(['--bogus'])).rejects.toThrow(/bogus/);
  });
});
