import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createPool, type Hasher } from '../src/scan/pool.js';
import type { HashTask, ScannedFile } from '../src/scan/task.js';
import hashTask from '../src/scan/worker.js';
import { DEFAULT_HASH_OPTIONS } from '../src/signals/types.js';

/** What test/support/probe-worker.mjs adds to each answer. */
interface Probed extends ScannedFile {
  readonly probe?: { readonly threadId: number; readonly defines: number; readonly needJobs: number };
}

const PROBE = new URL('./support/probe-worker.mjs', import.meta.url);
const SOURCES = ['a.png', 'b.jpg', 'a.q60.jpg', 'a.rot90.png'];
let dir: string;
let files: string[];
const pools: Hasher[] = [];
const ENV = ['HASHSIEVE_TEST_DELAY_MS', 'HASHSIEVE_TEST_CRASH_ON'] as const;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-pool-jobs-'));
  // Twelve files, three of each source, named so a test can pick one.
  files = Array.from({ length: 12 }, (_, i) => {
    const src = SOURCES[i % SOURCES.length];
    const path = join(dir, `${String(i).padStart(2, '0')}-${src}`);
    copyFileSync(fileURLToPath(new URL(`../fixtures/images/${src}`, import.meta.url)), path);
    return path;
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const name of ENV) delete process.env[name];
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function pool(workers: number, fileTimeoutMs = 0): Promise<Hasher> {
  const p = await createPool({ workers, fileTimeoutMs, worker: PROBE });
  pools.push(p);
  return p;
}

/** The same file hashed on this thread, without the pool: what the pool must answer. */
async function expected(task: HashTask): Promise<Omit<ScannedFile, 'stat'>> {
  const { stat: _stat, ...rest } = await hashTask({ ...task, stat: false });
  return rest;
}

const strip = (r: Probed): Omit<ScannedFile, 'stat'> => {
  const { probe: _probe, stat: _stat, ...rest } = r;
  return rest;
};

/** The last counts each thread reported. */
function perThread(results: readonly Probed[]): Map<number, { defines: number; needJobs: number }> {
  const out = new Map<number, { defines: number; needJobs: number }>();
  for (const r of results) {
    if (!r.probe) continue;
    const seen = out.get(r.probe.threadId);
    if (!seen || r.probe.defines + r.probe.needJobs >= seen.defines + seen.needJobs) out.set(r.probe.threadId, r.probe);
  }
  return out;
}

/** Hash `tasks` with at most `inFlight` at once, as the scan's engine does (two per thread). */
async function likeTheScan(p: Hasher, tasks: readonly HashTask[], inFlight: number): Promise<Probed[]> {
  const results: Probed[] = new Array(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) results[i] = await p.hash(tasks[i]);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return results;
}

/** Every thread got the job with its first file or after answering "need the job" (at most its two files in flight). */
function expectJobOncePerThread(results: readonly Probed[]): void {
  for (const [id, t] of perThread(results)) {
    expect(t.defines, `thread ${id}`).toBeGreaterThanOrEqual(1);
    expect(t.needJobs, `thread ${id}`).toBeLessThanOrEqual(2);
    expect(t.defines, `thread ${id}`).toBeLessThanOrEqual(1 + t.needJobs);
  }
}

const scanTask = (constants: Omit<HashTask, 'path'>) => (path: string): HashTask => ({ ...constants, path, stat: true });

describe('the pool sends a job once per thread', () => {
  test('files of one job carry it once per thread; every file gets its own real result', async () => {
    const p = await pool(2);
    const constants = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: {} };
    const tasks = files.map(scanTask(constants));
    const results = await likeTheScan(p, tasks, 4);
    for (const [i, r] of results.entries()) {
      expect(strip(r), files[i]).toEqual(await expected(tasks[i]));
      expect(r.stat?.size).toBeGreaterThan(0);
    }
    expectJobOncePerThread(results);
    const sent = [...perThread(results).values()].reduce((n, t) => n + t.defines, 0);
    expect(sent).toBeLessThanOrEqual(4);
  });

  test('interleaved tasks with other constants in one pool, and a second pool at the same time, each hash with their own', async () => {
    const [p, q] = await Promise.all([pool(2), pool(1)]);
    const a = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: {} };
    const b = { signals: ['md5'], options: DEFAULT_HASH_OPTIONS, limits: {} };
    const c = { signals: ['pdq'], options: { ...DEFAULT_HASH_OPTIONS, dihedral: true }, limits: {} };
    const d = { signals: ['pdq'], options: DEFAULT_HASH_OPTIONS, limits: { maxPixels: 1 } };
    const kinds = [a, b, c, d];
    const onP = files.map((f, i) => scanTask(kinds[i % kinds.length])(f));
    const onQ = files.map((f, i) => scanTask(kinds[(i + 1) % kinds.length])(f));
    const [rp, rq] = await Promise.all([Promise.all(onP.map((t) => p.hash(t))), Promise.all(onQ.map((t) => q.hash(t)))]);
    for (const [i, r] of (rp as Probed[]).entries()) expect(strip(r), `pool 1, ${files[i]}`).toEqual(await expected(onP[i]));
    for (const [i, r] of (rq as Probed[]).entries()) expect(strip(r), `pool 2, ${files[i]}`).toEqual(await expected(onQ[i]));
    // The constants differ: the answers do too (the test is not comparing alike results).
    expect(Object.keys(rp[0].hashes).sort()).toEqual(['pdq', 'sha256']);
    expect(Object.keys(rp[1].hashes)).toEqual(['md5']);
    expect(rp[3].error?.code).toBe('TOO_MANY_PIXELS');
  });

  test('a thread started after a crash gets the job again; the files that shared the crashed thread are retried with it', async () => {
    const crash = files[5];
    process.env.HASHSIEVE_TEST_CRASH_ON = crash.split('/').pop()!;
    process.env.HASHSIEVE_TEST_DELAY_MS = '30';
    const p = await pool(1);
    const constants = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: {} };
    const tasks = files.map(scanTask(constants));
    const results = await likeTheScan(p, tasks, 2);
    for (const [i, r] of results.entries()) {
      if (files[i] === crash) expect(r.error?.code).toBe('WORKER_CRASHED');
      else expect(strip(r), files[i]).toEqual(await expected(tasks[i]));
    }
    // The files after the crash ran on the thread that replaced it (and the retried one on the
    // retry thread): threads that started without the job, asked for it and got it.
    const threads = perThread(results);
    expect(threads.size).toBeGreaterThanOrEqual(2);
    expect([...threads.values()].filter((t) => t.needJobs >= 1).length).toBeGreaterThanOrEqual(1);
    expectJobOncePerThread(results);
  });

  test('a start slot used again is cleared first: files queued behind a busy thread are not timed out', async () => {
    // Each file takes 150 ms; four at once on one thread (two in flight, two queued) all finish well within 1 s.
    process.env.HASHSIEVE_TEST_DELAY_MS = '150';
    const p = await pool(1, 1000);
    const constants = { signals: ['sha256'], options: DEFAULT_HASH_OPTIONS, limits: {} };
    const first = await Promise.all(files.slice(0, 4).map(scanTask(constants)).map((t) => p.hash(t)));
    expect(first.every((r) => r.error === undefined)).toBe(true);
    // The same slots again, 1.2 s after they were last started: a stale start time would be over the limit.
    await new Promise((r) => setTimeout(r, 1200));
    const second = await Promise.all(files.slice(4, 8).map(scanTask(constants)).map((t) => p.hash(t)));
    expect(second.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok']);
    // None was taken for a stalled thread's and retried on another thread either.
    const thread = (first[0] as Probed).probe?.threadId;
    expect(thread).toBeDefined();
    expect((second as Probed[]).map((r) => r.probe?.threadId)).toEqual([thread, thread, thread, thread]);
  });
});
