import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, makeList, ROOT } from './scan-helpers.js';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-pipe-'));
  db = join(dir, 'lists.db');
  const entries = Array.from({ length: 2000 }, (_, i) => ({
    signal: 'pdq',
    hash: (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').slice(-16).repeat(4),
    id: `E-${i}`,
    category: 'A1',
  }));
  await makeList(db, 'hotline', entries);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI with its stdout a pipe whose reader has already gone away (as `| head` leaves it). */
function runIntoClosedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('a reader that goes away (| head)', () => {
  test('help text: exit 0, nothing on stderr (it died on an unhandled EPIPE)', async () => {
    const r = await runIntoClosedPipe(['scan', '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('list export: stops quietly with exit 0 (it reported "fatal: write EPIPE", exit 2)', async () => {
    const r = await runIntoClosedPipe(['list', 'export', 'hotline', '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
