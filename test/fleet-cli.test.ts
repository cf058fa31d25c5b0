import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSource } from '../src/synthetic/images.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { hashesOf, makeImageTree, makeList, parseNdjson, ROOT, runCli, startCli as startCliRaw } from './scan-helpers.js';
import { requireSystemProgram } from './system-deps.js';

interface Rec {
  path: string;
  status: string;
  error?: { code: string };
  [k: string]: unknown;
}

const hasRedis = requireSystemProgram('redis-server', 'redis-server');

/** Every process a test starts, killed at the end whatever happened (a failed test leaves none behind). */
const children = new Set<ChildProcess>();
function tracked<T extends { child: ChildProcess }>(p: T): T {
  children.add(p.child);
  p.child.once('close', () => children.delete(p.child));
  return p;
}
const startCli = (...args: Parameters<typeof startCliRaw>) => tracked(startCliRaw(...args));

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
  const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'fleet-worker.mjs'), socket], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tracked({ child });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const ready = until(() => stdout.includes('ready'));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  /** Files it answered, once stopped with SIGTERM. */
  const files = async (): Promise<number> => {
    child.kill('SIGTERM');
    await done;
    return Number(/files (\d+)/.exec(stdout)?.[1] ?? NaN);
  };
  return { child, ready, done, files, stderr: () => stderr };
}

function startWorkerCli(socket: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return startCli(['worker', '--queue', socket, '--workers', '1', ...args], { env });
}

/** Batches of every scan in a state (active, completed, ...), read straight from Redis. */
async function batchesIn(socket: string, state: string): Promise<number> {
  const c = new Redis({ path: socket, password: process.env.TEST_REDIS_PASSWORD, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  try {
    const keys = await c.keys(`hashsieve:scan-*:${state}`);
    let n = 0;
    for (const k of keys) n += state === 'active' || state === 'wait' ? await c.llen(k) : await c.zcard(k);
    return n;
  } finally {
    c.disconnect();
  }
}

async function untilAsync(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
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
  // A name that is not UTF-8 (Latin-1 "café.jpg"): its bytes must survive the trip through Redis.
  writeFileSync(Buffer.concat([Buffer.from(`${tree}/caf`), Buffer.from([0xe9]), Buffer.from('.jpg')]), await sharp(await generateSource(99, 80, 60)).jpeg().toBuffer());
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
  for (const c of children) c.kill('SIGKILL');
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
      // The name that is not UTF-8 was hashed (not an error row), by the fleet as locally.
      expect(local.filter((x) => x.path_bytes !== undefined).map((x) => x.status)).toEqual(['clean']);
      // The coordinator hashing a share itself (--local-workers) changes nothing in the records.
      const mixed = runCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '3', '--local-workers', '1', tree]);
      expect(mixed.code).toBe(localCode);
      expect(canonical(parseNdjson<Rec>(mixed.stdout))).toEqual(canonical(local));
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

  test('a worker killed with SIGKILL mid-batch: another worker takes the batch over, no file lost or reported twice', async () => {
    const a = startTestWorker(redis.socket, { HASHSIEVE_TEST_DELAY_MS: '150' });
    await a.ready;
    const scan = startCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '4', tree]);
    await untilAsync(async () => (await batchesIn(redis.socket, 'active')) > 0);
    a.child.kill('SIGKILL');
    await a.done;
    const b = startTestWorker(redis.socket);
    try {
      const r = await scan.done;
      expect(r.code).toBe(localCode);
      expect(canonical(parseNdjson<Rec>(r.stdout))).toEqual(canonical(local));
    } finally {
      await b.files();
    }
  }, 60_000);

  test('SIGTERM: a worker finishes the batches in hand and exits 0; batches longer than the lock are not taken over (the lock is renewed)', async () => {
    // 4 files of 700 ms, two at a time per thread: a batch takes ~1.4 s, longer than the test workers' 1 s lock.
    const a = startTestWorker(redis.socket, { HASHSIEVE_TEST_DELAY_MS: '700' });
    const b = startTestWorker(redis.socket, { HASHSIEVE_TEST_DELAY_MS: '700' });
    await Promise.all([a.ready, b.ready]);
    const scan = startCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '4', tree]);
    // Each worker takes up to two batches: three active means both have at least one in hand.
    await untilAsync(async () => (await batchesIn(redis.socket, 'active')) >= 3);
    const aFiles = await a.files();
    expect(await a.done).toBe(0);
    const r = await scan.done;
    expect(r.code).toBe(localCode);
    expect(canonical(parseNdjson<Rec>(r.stdout))).toEqual(canonical(local));
    // Nothing hashed twice: no batch was redone after a lost lock or a stop.
    expect(aFiles + (await b.files())).toBe(local.length);
    expect(aFiles).toBeGreaterThan(0);
  }, 60_000);

  test('the coordinator killed with SIGKILL, then --resume: every file once across both runs, results in Redis reused', async () => {
    // Slow enough that the first checkpoint flush (after 1 s) comes well before the last file.
    const w = startTestWorker(redis.socket, { HASHSIEVE_TEST_DELAY_MS: '200' });
    await w.ready;
    const out = join(dir, 'resume.ndjson');
    const cp = join(dir, 'resume.checkpoint');
    const args = ['scan', '--db', db, '--queue', redis.socket, '--batch-size', '3', '--out', out, '--checkpoint', cp];
    const first = startCli([...args, tree]);
    await until(() => {
      try {
        return readFileSync(cp, 'utf8').includes('"type":"batch"');
      } catch {
        return false;
      }
    });
    first.child.kill('SIGKILL');
    await first.done;
    const before = parseNdjson<Rec>(readFileSync(out, 'utf8')).length;
    expect(before).toBeLessThan(local.length);
    const second = runCli([...args, '--resume', tree]);
    expect(second.stderr).not.toMatch(/fatal/);
    expect(second.code).toBe(localCode);
    const records = parseNdjson<Rec>(readFileSync(out, 'utf8'));
    expect(canonical(records)).toEqual(canonical(local));
    // Each file was hashed once by the fleet: the second run took the first run's results from Redis.
    expect(await w.files()).toBe(local.length);
  }, 60_000);

  test('two scans on one Redis at once keep their batches apart', async () => {
    const w1 = startWorkerCli(redis.socket);
    const w2 = startWorkerCli(redis.socket);
    try {
      const one = startCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '2', tree]);
      const two = startCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '5', tree]);
      for (const r of [await one.done, await two.done]) {
        expect(r.code).toBe(localCode);
        expect(canonical(parseNdjson<Rec>(r.stdout))).toEqual(canonical(local));
      }
    } finally {
      w1.child.kill('SIGTERM');
      w2.child.kill('SIGTERM');
      await Promise.all([w1.done, w2.done]);
    }
  }, 60_000);

  test('a worker that cannot read a path answers with an error row; --path-map maps the coordinator\'s paths', async () => {
    const mounted = join(dir, 'mounted');
    // cp, not fs.cpSync: the tree holds a name that is not UTF-8.
    execFileSync('cp', ['-a', tree, mounted]);
    unlinkSync(join(mounted, 'other.png'));
    const w = startWorkerCli(redis.socket, ['--path-map', `${tree}=${mounted}`]);
    try {
      const r = runCli(['scan', '--db', db, '--queue', redis.socket, tree]);
      const records = parseNdjson<Rec>(r.stdout);
      expect(records.map((x) => x.path).sort()).toEqual(local.map((x) => x.path).sort());
      const other = records.find((x) => x.path === join(tree, 'other.png'))!;
      expect(other.status).toBe('error');
      expect(other.error?.code).toBe('UNREADABLE');
      // The copy's mtimes keep only whole microseconds; everything else must be the same.
      const rest = (rs: readonly Rec[]) => canonical(rs.filter((x) => x.path !== other.path).map((x) => ({ ...x, mtime: null })));
      expect(rest(records)).toEqual(rest(local));
    } finally {
      w.child.kill('SIGTERM');
      await w.done;
    }
  }, 60_000);
});

describe.skipIf(!hasRedis)('scan fleet when Redis goes away or refuses', () => {
  test.each([
    ['AOF on: the queue survives', true],
    ['no persistence: lost batches are sent again', false],
  ])('Redis killed and restarted mid-scan (%s): the scan waits, says so, and finishes exactly once', async (_, aof) => {
    const redis = await startRedis({ aof });
    const w = startTestWorker(redis.socket, { HASHSIEVE_TEST_DELAY_MS: '60' });
    let scan: ReturnType<typeof startCli> | null = null;
    try {
      await w.ready;
      scan = startCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '3', tree]);
      await untilAsync(async () => (await batchesIn(redis.socket, 'completed')) > 0);
      await redis.kill();
      await new Promise((r) => setTimeout(r, 1000));
      await redis.start();
      const r = await scan.done;
      expect(r.stderr).toMatch(/lost the connection to Redis/);
      expect(r.stderr).toMatch(/reconnected to Redis/);
      expect(r.code).toBe(localCode);
      expect(canonical(parseNdjson<Rec>(r.stdout))).toEqual(canonical(local));
    } finally {
      scan?.child.kill('SIGKILL');
      w.child.kill('SIGTERM');
      await w.done;
      await redis.stop();
      rmSync(redis.dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('a wrong password is a clear error with exit 2; with the right one (HASHSIEVE_REDIS_PASSWORD) and no worker yet, the scan says so and waits', async () => {
    const redis = await startRedis({ password: 'sesame' });
    try {
      for (const cmd of [['scan', '--db', db, '--queue', redis.socket, tree], ['worker', '--queue', redis.socket], ['fleet', 'status', '--queue', redis.socket]]) {
        const r = runCli(cmd, { env: { HASHSIEVE_REDIS_PASSWORD: 'wrong' } });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/refused the login/);
        expect(r.stderr).not.toMatch(/wrong|sesame/);
      }
      const env = { HASHSIEVE_REDIS_PASSWORD: 'sesame' };
      // A usage error found after connecting ends the command at once (no connection left open).
      const noList = runCli(['scan', '--db', db, '--queue', redis.socket, '--lists', 'nope', tree], { env });
      expect(noList.code).toBe(2);
      expect(noList.stderr).toMatch(/No list named "nope"/);
      const scan = startCli(['scan', '--db', db, '--queue', redis.socket, tree], { env });
      await until(() => scan.output().stderr.includes('no fleet worker is connected'), 15_000);
      const w = startWorkerCli(redis.socket, [], env);
      try {
        const r = await scan.done;
        expect(r.code).toBe(localCode);
        expect(canonical(parseNdjson<Rec>(r.stdout))).toEqual(canonical(local));
      } finally {
        w.child.kill('SIGTERM');
        await w.done;
      }
    } finally {
      await redis.stop();
      rmSync(redis.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
