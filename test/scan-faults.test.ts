import { appendFileSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashesOf, makeImageTree, makeList, parseNdjson, runCli, startCli } from './scan-helpers.js';

interface Rec {
  path: string;
  size?: number | null;
  mtime?: string | null;
  status: string;
  error?: { code: string; message: string };
}

let dir: string;
let tree: string;
let many: string;
let db: string;
const MANY_FILES = 60;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-faults-'));
  tree = join(dir, 'tree');
  many = join(dir, 'many');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  const known = await hashesOf(join(tree, 'known.png'), ['pdq']);
  await makeList(db, 'hotline', [{ signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' }]);
  for (let i = 0; i < MANY_FILES; i++) {
    const sub = join(many, `d${i % 4}`);
    mkdirSync(sub, { recursive: true });
    copyFileSync(join(tree, i % 2 ? 'known.png' : 'other.png'), join(sub, `img-${String(i).padStart(3, '0')}.png`));
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(cond: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

function expectExactlyOnce(records: Rec[]): void {
  const paths = records.map((r) => r.path);
  expect(new Set(paths).size).toBe(paths.length);
  expect(paths.length).toBe(MANY_FILES);
}

describe('scan faults', () => {
  test('a worker that crashes becomes a WORKER_CRASHED row and the scan goes on', () => {
    const r = runCli(['scan', '--db', db, '--workers', '1', tree], { faulty: true, env: { HASHSIEVE_TEST_CRASH_ON: 'other.png' } });
    expect(r.code).toBe(1);
    const recs = parseNdjson<Rec>(r.stdout);
    expect(recs).toHaveLength(8);
    const crashed = recs.find((x) => x.path.endsWith('/other.png'));
    expect(crashed).toMatchObject({ status: 'error', error: { code: 'WORKER_CRASHED' } });
    // The walk leaves stat to the worker; for a worker that died the main thread stats the file.
    const st = lstatSync(join(tree, 'other.png'));
    expect(crashed).toMatchObject({ size: st.size, mtime: new Date(Math.floor(st.mtimeMs)).toISOString() });
    expect(recs.find((x) => x.path.endsWith('/known.png'))!.status).toBe('match');
    expect(recs.filter((x) => x.error?.code === 'WORKER_CRASHED')).toHaveLength(1);
  });

  test('a file that hangs is stopped by --file-timeout as a TIMEOUT row; the file queued behind it is not; exit 3', () => {
    const r = runCli(['scan', '--db', db, '--workers', '1', '--file-timeout', '1500ms', join(tree, 'other.png'), join(tree, 'flat.png')], {
      faulty: true,
      env: { HASHSIEVE_TEST_HANG_ON: 'other.png' },
    });
    expect(r.code).toBe(3);
    const recs = parseNdjson<Rec>(r.stdout);
    expect(recs).toHaveLength(2);
    expect(recs.find((x) => x.path.endsWith('/other.png'))).toMatchObject({ status: 'error', error: { code: 'TIMEOUT' } });
    expect(recs.find((x) => x.path.endsWith('/flat.png'))!.status).toBe('low_quality');
    expect(r.stderr).toMatch(/TIMEOUT 1/);
  });

  test('SIGKILL part-way, then --resume: every file exactly once, none missing', async () => {
    const out = join(dir, 'kill.ndjson');
    const ckpt = join(dir, 'kill.ckpt');
    const args = ['scan', '--db', db, '--workers', '1', '--out', out, '--checkpoint', ckpt, many];
    const run = startCli(args, { faulty: true, env: { HASHSIEVE_TEST_DELAY_MS: '150' } });
    await waitFor(() => lineCount(ckpt) >= 3 || run.child.exitCode !== null, 'two checkpointed batches');
    expect(run.child.exitCode, run.output().stderr).toBeNull();
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    const partial = parseNdjson<Rec>(readFileSync(out, 'utf8'));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(MANY_FILES);
    // A crash between a report write and its checkpoint leaves unrecorded bytes; a torn checkpoint line too.
    appendFileSync(out, '{"path":"torn record that must be cut');
    appendFileSync(ckpt, '{"type":"batch","reportBytes":99');

    expect(runCli(args).code).toBe(2);
    const resumed = runCli([...args, '--resume']);
    expect(resumed.code).toBe(1);
    const all = parseNdjson<Rec>(readFileSync(out, 'utf8'));
    expectExactlyOnce(all);
    expect(all.filter((r) => r.status === 'match')).toHaveLength(MANY_FILES / 2);
    expect(resumed.stderr).toMatch(new RegExp(`scanned ${MANY_FILES} files`));
  });

  test('Ctrl-C flushes the report and checkpoint and exits 130; --resume completes it', async () => {
    const out = join(dir, 'int.ndjson');
    const ckpt = join(dir, 'int.ckpt');
    const summary = join(dir, 'int-summary.json');
    const args = ['scan', '--db', db, '--workers', '1', '--out', out, '--checkpoint', ckpt, '--summary', summary, many];
    const run = startCli(args, { faulty: true, env: { HASHSIEVE_TEST_DELAY_MS: '150' } });
    await waitFor(() => lineCount(ckpt) >= 2 || run.child.exitCode !== null, 'a checkpointed batch');
    expect(run.child.exitCode, run.output().stderr).toBeNull();
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/interrupted/);
    const partial = parseNdjson<Rec>(readFileSync(out, 'utf8'));
    const saved = JSON.parse(readFileSync(summary, 'utf8'));
    expect(saved.interrupted).toBe(true);
    expect(saved.files).toBe(partial.length);
    expect(partial.length).toBeLessThan(MANY_FILES);

    const resumed = runCli([...args, '--resume']);
    expect(resumed.code).toBe(1);
    expectExactlyOnce(parseNdjson<Rec>(readFileSync(out, 'utf8')));
    expect(JSON.parse(readFileSync(summary, 'utf8'))).toMatchObject({ files: MANY_FILES, interrupted: false });
  });

  test('--resume refuses a different report shape', () => {
    const out = join(dir, 'shape.ndjson');
    const ckpt = join(dir, 'shape.ckpt');
    expect(runCli(['scan', '--db', db, '--workers', '1', '--out', out, '--checkpoint', ckpt, join(tree, 'known.png')]).code).toBe(1);
    const r = runCli(['scan', '--db', db, '--workers', '1', '--format', 'csv', '--out', out, '--checkpoint', ckpt, '--resume', join(tree, 'known.png')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/options differ.*format/);
  });
});
