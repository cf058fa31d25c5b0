import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './support/cli.js';

const bench = (args: string[]) => runInProcess(['bench', 'scan', ...args]);

describe('hashsieve bench scan', () => {
  it('--help lists the options and the exit codes, and runs nothing', async () => {
    const r = await bench(['--help']);
    expect(r.code).toBe(0);
    for (const o of ['--small', '--large', '--list', '--tiny', '--workers', '--rounds', '--seed', '--pipeline', '--cache', '--json', '--save']) expect(r.stdout).toContain(o);
    expect(r.stdout).toMatch(/Exit codes: 0 done, 2 usage or fatal error/);
    expect(r.stdout).not.toMatch(/# bench scan/);
  });

  it.each([
    [['--rounds', '0'], 'Expected a positive integer for --rounds but received "0"'],
    [['--workers', '1,x'], 'Expected a positive integer for --workers but received "x"'],
    [['--pipeline', 'slow'], 'Expected one of fast, fullres, cpp for --pipeline but received "slow"'],
    [['--bogus'], "unknown option '--bogus'"],
  ])('%j is refused before anything is generated (exit 2)', async (args, message) => {
    const r = await bench(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('times the real scan through its hasher: every file of a tiny corpus is counted', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'hashsieve-bench-scan-'));
    try {
      // The built binary: the scan's pool threads load the compiled worker.
      const bin = fileURLToPath(new URL('../bin/hashsieve.js', import.meta.url));
      const args = ['bench', 'scan', '--small', '0', '--large', '0', '--list', '5', '--tiny', '12', '--workers', '1', '--cache', cache];
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^# bench scan/);
      expect(r.stdout).toMatch(/memory: 12 tiny files, 1 workers/);
      const json = spawnSync(process.execPath, [bin, ...args, '--json'], { encoding: 'utf8' });
      expect(json.status, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ options: { tiny: 12, workers: [1] }, rows: [], memory: { files: 12, workers: 1 } });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  }, 60_000);
});
