import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createFormatter } from '../src/report/formats.js';
import { fileSink } from '../src/report/sink.js';
import { emptyTotals } from '../src/report/summary.js';
import { CheckpointWriter, readCheckpoint } from '../src/scan/checkpoint.js';
import { runEngine } from '../src/scan/engine.js';
import { ReportOutput } from '../src/scan/output.js';
import { Interrupted, type Hasher } from '../src/scan/pool.js';
import type { WalkItem } from '../src/scan/walk.js';
import type { FileHashResult } from '../src/results.js';

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hasher whose tasks finish only when the test says so. */
function manualHasher() {
  const pending: { path: string; resolve: (r: FileHashResult) => void; reject: (e: unknown) => void }[] = [];
  let maxInFlight = 0;
  const hasher: Hasher = {
    hash: (task) =>
      new Promise((resolve, reject) => {
        pending.push({ path: String(task.path), resolve, reject });
        maxInFlight = Math.max(maxInFlight, pending.length);
      }),
    stop: () => {
      for (const p of pending.splice(0)) p.reject(new Interrupted('stop'));
    },
    close: async () => {},
  };
  const finishOne = (): void => {
    const p = pending.shift()!;
    p.resolve({ path: p.path, size: 1, hashes: { sha256: { hash: 'ab' } } });
  };
  return { hasher, pending, finishOne, maxInFlight: () => maxInFlight };
}

function output(name: string, resume: { bytes: number; records: number } | null = null) {
  const totals = emptyTotals();
  return new ReportOutput({
    sink: fileSink(join(dir, name), resume ? resume.bytes : null),
    formatter: createFormatter('ndjson', { signals: ['sha256'], qualitySignals: [] }),
    onlyMatches: false,
    checkpoint: null,
    records: resume?.records ?? 0,
    totals,
    streaming: false,
  });
}

const clean = { match: () => ({ status: 'clean' as const, matches: [] }) };
const tick = () => new Promise((r) => setImmediate(r));

describe('scan engine', () => {
  test('pulls from the walk only as the pool frees up (memory stays flat)', async () => {
    const N = 50;
    let pulled = 0;
    async function* items(): AsyncGenerator<WalkItem> {
      for (let i = 0; i < N; i++) {
        pulled += 1;
        yield { kind: 'file', path: `f${i}`, size: 1, mtimeMs: 0 };
      }
    }
    const h = manualHasher();
    const out = output('flat.ndjson');
    const running = runEngine({
      items: items(),
      hasher: h.hasher,
      task: { signals: ['sha256'], options: { pdqPipeline: 'fullres', dihedral: false, blockhashBits: 16 }, limits: {} },
      matcher: clean,
      concurrency: 3,
      output: out,
      done: new Set(['f7']),
      stop: new AbortController().signal,
    });
    let finished = 0;
    while (finished < N - 1) {
      await tick();
      expect(h.pending.length).toBeLessThanOrEqual(3);
      expect(pulled - finished).toBeLessThanOrEqual(3 + 2);
      if (h.pending.length > 0) {
        h.finishOne();
        finished += 1;
      }
    }
    expect(await running).toBe(true);
    await out.finish(true);
    expect(h.maxInFlight()).toBe(3);
    const paths = readFileSync(join(dir, 'flat.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).path);
    expect(paths).toHaveLength(N - 1);
    expect(paths).not.toContain('f7');
  });

  test('stopping abandons files in flight and reports incomplete', async () => {
    async function* items(): AsyncGenerator<WalkItem> {
      for (let i = 0; ; i++) yield { kind: 'file', path: `g${i}`, size: 1, mtimeMs: 0 };
    }
    const h = manualHasher();
    const out = output('stop.ndjson');
    const stop = new AbortController();
    const running = runEngine({
      items: items(),
      hasher: h.hasher,
      task: { signals: ['sha256'], options: { pdqPipeline: 'fullres', dihedral: false, blockhashBits: 16 }, limits: {} },
      matcher: clean,
      concurrency: 2,
      output: out,
      done: new Set(),
      stop: stop.signal,
    });
    await tick();
    h.finishOne();
    await tick();
    stop.abort();
    expect(await running).toBe(false);
    expect(out.totals.files).toBe(1);
  });
});

test('stopping while the walk waits for input (paths on stdin) returns at once', async () => {
  async function* items(): AsyncGenerator<WalkItem> {
    yield { kind: 'skip', path: 's0', size: null, mtimeMs: null, reason: 'fifo', message: 'fifo' };
    await new Promise(() => undefined);
  }
  const h = manualHasher();
  const out = output('wait.ndjson');
  const stop = new AbortController();
  const running = runEngine({
    items: items(),
    hasher: h.hasher,
    task: { signals: ['sha256'], options: { pdqPipeline: 'fullres', dihedral: false, blockhashBits: 16 }, limits: {} },
    matcher: clean,
    concurrency: 2,
    output: out,
    done: new Set(),
    stop: stop.signal,
  });
  await tick();
  stop.abort();
  expect(await running).toBe(false);
  expect(out.totals.statuses.skipped).toBe(1);
});

describe('checkpoint', () => {
  test('ignores a torn last line and restores the last batch', async () => {
    const path = join(dir, 'c.ckpt');
    const w = CheckpointWriter.create(path, { type: 'header', version: 1, startedAt: 'T0', report: '/r', scan: { format: 'ndjson' } });
    const totals = emptyTotals();
    totals.files = 2;
    w.append({ type: 'batch', reportBytes: 10, records: 2, totals, done: ['a', 'b'] });
    totals.files = 3;
    w.append({ type: 'batch', reportBytes: 15, records: 3, totals, done: ['c'] });
    w.close();
    const good = readFileSync(path).length;
    appendFileSync(path, '{"type":"batch","reportBy');
    const state = await readCheckpoint(path);
    expect(state.reportBytes).toBe(15);
    expect(state.records).toBe(3);
    expect(state.totals.files).toBe(3);
    expect([...state.done].sort()).toEqual(['a', 'b', 'c']);
    expect(state.validBytes).toBe(good);
    const again = CheckpointWriter.resume(path, state, 'T1');
    again.close();
    expect((await readCheckpoint(path)).resumedAt).toEqual(['T1']);
  });

  test('refuses a file that is not a checkpoint', async () => {
    const path = join(dir, 'not.ckpt');
    writeFileSync(path, '{"path":"x"}\n');
    await expect(readCheckpoint(path)).rejects.toThrow(/not a hashsieve scan checkpoint/);
  });
});
