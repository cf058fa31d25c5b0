import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSource } from '../fixtures/generate.js';
import { startRedis, type TestRedis } from './redis-helpers.js';
import { hashesOf, makeImageTree, makeList, parseNdjson, ROOT, runCli, startCli } from './scan-helpers.js';
import { requireSystemProgram } from './system-deps.js';

interface Rec {
  path: string;
  status: string;
  error?: { code: string };
  [k: string]: unknown;
}

const hasRedis = requireSystemProgram('redis-server', 'redis-server');

let dir: string;
let tree: string;
let db: string;
let local: Rec[];
let localCode: number | null;

/** Records comparable across runs: sorted by path, without nothing that differs between equal scans. */
function canonical(records: readonly Rec[]): string[] {
  return records.map((r) => JSON.stringify(r)).sort();
}

/** A fleet worker that is the test's own process (short locks), via the built library. */
function startTestWorker(socket: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fleet-worker.mjs'), socket], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, ready, done, stderr: () => stderr };
}

function startWorkerCli(socket: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return startCli(['worker', '--queue', socket, '--workers', '1', ...args], { env });
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  if (!hasRedis) return;
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-fleet-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  for (let i = 0; i < 16; i += 1) {
    writeFileSync(join(tree, `g${String(i).padStart(2, '0')}.jpg`), await sharp(await generateSource(100 + i, 96, 64)).jpeg().toBuffer());
  }
  const known = await hashesOf(join(tree, 'known.png'), ['pdq', 'md5']);
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' },
    { signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' },
  ]);
  const r = runCli(['scan', '--db', db, '--workers', '1', tree]);
  local = parseNdjson<Rec>(r.stdout);
  localCode = r.code;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasRedis)('scan fleet on Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    if (redis) rmSync(redis.dir, { recursive: true, force: true });
  });

  test('coordinator + 2 worker processes report the same records and exit code as a local scan', async () => {
    const w1 = startWorkerCli(redis.socket);
    const w2 = startWorkerCli(redis.socket);
    try {
      const r = runCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '3', tree]);
      expect(r.stderr).not.toMatch(/fatal/);
      expect(r.code).toBe(localCode);
      expect(canonical(parseNdjson<Rec>(r.stdout))).toEqual(canonical(local));
      const status = runCli(['fleet', 'status', '--queue', redis.socket, '--json']);
      const s = JSON.parse(status.stdout) as { workers: { pid: number; threads: number }[]; scans: unknown[] };
      expect(s.workers.map((w) => w.pid).sort()).toEqual([w1.child.pid, w2.child.pid].sort());
      // A finished scan leaves nothing behind.
      expect(s.scans).toEqual([]);
    } finally {
      w1.child.kill('SIGTERM');
      w2.child.kill('SIGTERM');
      expect((await w1.done).code).toBe(0);
      expect((await w2.done).code).toBe(0);
    }
  }, 60_000);
});
