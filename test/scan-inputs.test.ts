/** The scan's inputs end to end: globs, names that are not UTF-8, overlapping inputs, its own outputs, --out and --force. */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unescapePath } from '../src/report/path-text.js';
import { FAULTY_BIN, ROOT, hashesOf, makeImageTree, makeList, parseNdjson, runCli, type CliResult } from './scan-helpers.js';

interface Rec {
  path: string;
  path_bytes?: string;
  status: string;
  skip?: { reason: string; message: string };
  matches: { entry: string | null }[];
}

let dir: string;
let tree: string;
let db: string;
let names: string;
const LATIN1 = Buffer.from('caf\xe9', 'latin1');
const SJIS = Buffer.from([0x93, 0xfa, 0x96, 0x7b]);
const BROKEN = Buffer.from([0x61, 0xff, 0xc3, 0x28]);
const NAMED = 24;

/** The bytes of a record's path (path_bytes when not UTF-8). */
const bytesOf = (r: Rec): Buffer => (r.path_bytes !== undefined ? Buffer.from(r.path_bytes, 'base64') : Buffer.from(r.path, 'utf8'));
const keyOf = (r: Rec): string => bytesOf(r).toString('hex');

/** `names/`: NAMED copies of known.png whose names are Latin-1, Shift-JIS or not UTF-8 at all. */
function nameBytes(i: number): Buffer {
  const stem = [LATIN1, SJIS, BROKEN][i % 3];
  return Buffer.concat([Buffer.from(`${names}/`), stem, Buffer.from(`-${String(i).padStart(2, '0')}.png`)]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-inputs-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  names = join(dir, 'names');
  await makeImageTree(tree);
  const known = await hashesOf(join(tree, 'known.png'), ['pdq', 'md5']);
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' },
    { signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' },
  ]);
  mkdirSync(names);
  for (let i = 0; i < NAMED; i++) copyFileSync(join(tree, 'known.png'), nameBytes(i));
  mkdirSync(join(tree, 'photos', '2024'), { recursive: true });
  copyFileSync(join(tree, 'known.png'), join(tree, 'photos', '2024', 'p.png'));
  copyFileSync(join(tree, 'other.png'), join(tree, 'photos', 'q.png'));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scan(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = runCli(['scan', '--db', db, '--workers', '1', ...args], opts);
  return { ...r, records: r.stdout.trim().startsWith('{') ? parseNdjson<Rec>(r.stdout) : [] };
}

/** Start a scan (its workers slowed down by HASHSIEVE_TEST_DELAY_MS, test/support/faulty-worker.mjs) with `input` on stdin. */
function startScan(args: string[], input: Buffer, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [FAULTY_BIN, 'scan', '--db', db, '--workers', '1', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.resume();
  child.stdin.end(input);
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout: '', stderr })));
  return { child, done };
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > 45_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

describe('globs', () => {
  test('a glob with a slash matches the path under the input folder (it matched nothing before)', () => {
    const r = scan(['--include', 'photos/**/*.png', tree]);
    expect(r.code).toBe(1);
    expect(r.records.map((x) => x.path.slice(tree.length + 1)).sort()).toEqual(['photos/2024/p.png', 'photos/q.png']);
    const ex = scan(['--exclude', 'photos/2024/**', '--exclude', 'bad', '--exclude', 'copies/', tree]);
    expect(ex.records.map((x) => x.path.slice(tree.length + 1)).sort()).toEqual(['flat.png', 'known.png', 'other.png', 'photos/q.png']);
  });
  test('negation: every png but those under photos/', () => {
    const r = scan(['--include', '*.png', '--include', '!photos/**', tree]);
    expect(r.records.map((x) => x.path.slice(tree.length + 1)).sort()).toEqual([
      'copies/known.half.png',
      'copies/known.rot90.png',
      'flat.png',
      'known.png',
      'other.png',
    ]);
  });
  test('globs that leave no file say so on stderr and exit 2', () => {
    const r = scan(['--include', '*.gif', tree]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--include\/--exclude left no file to scan \(\d+ entries filtered out\)/);
    expect(scan([join(tree, 'bad', 'empty.jpg')]).code).toBe(3);
    const empty = join(dir, 'empty-folder');
    mkdirSync(empty);
    expect(scan(['--include', '*.png', empty]).code).toBe(0); // nothing was there to filter
  });
});

describe('names that are not UTF-8', () => {
  test('Latin-1, Shift-JIS and invalid names are hashed and matched, and reported losslessly', () => {
    const r = scan([names]);
    expect(r.code).toBe(1);
    expect(r.records).toHaveLength(NAMED);
    for (const rec of r.records) {
      expect(rec.status).toBe('match');
      expect(rec.path_bytes).toBeDefined();
      expect(rec.path.startsWith('"')).toBe(true);
      expect(unescapePath(rec.path).equals(bytesOf(rec))).toBe(true);
      expect(existsSync(bytesOf(rec))).toBe(true);
    }
    expect(new Set(r.records.map(keyOf))).toEqual(new Set(Array.from({ length: NAMED }, (_, i) => nameBytes(i).toString('hex'))));
  });
  test('CSV shows the escaped form, which maps back to the bytes', () => {
    const r = runCli(['scan', '--db', db, '--workers', '1', '--format', 'csv', names]);
    const paths = r.stdout
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => (l.startsWith('"') ? l.slice(1, l.indexOf('",')).replace(/""/g, '"') : l.slice(0, l.indexOf(','))));
    expect(paths).toHaveLength(2 * NAMED); // a row per match: pdq and md5
    expect(new Set(paths.map((p) => unescapePath(p).toString('hex')))).toEqual(new Set(Array.from({ length: NAMED }, (_, i) => nameBytes(i).toString('hex'))));
  });
  test('paths on stdin (-0) are read as bytes', () => {
    const r = scan(['-0', '-'], { input: Buffer.concat([nameBytes(0), Buffer.from([0]), nameBytes(1), Buffer.from([0])]) });
    expect(r.records.map((x) => x.status)).toEqual(['match', 'match']);
    // Rows come in completion order (two files per pool thread), so compare the set of names.
    expect(r.records.map((x) => bytesOf(x).toString('hex')).sort()).toEqual([nameBytes(0), nameBytes(1)].map((b) => b.toString('hex')).sort());
  });
});

describe('each file once', () => {
  test('overlapping inputs (a folder twice, a file in it, its parent) report every file once', () => {
    const r = scan([join(tree, 'copies'), join(tree, 'copies') + '/', join(tree, 'copies', 'known.q50.jpg'), tree]);
    const paths = r.records.map((x) => x.path.slice(tree.length + 1));
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p.startsWith('copies/'))).toHaveLength(3);
    expect(r.records.some((x) => x.status === 'skipped')).toBe(false);
  });

  test('killed part-way and resumed: overlapping inputs and byte names, each exactly once', async () => {
    const out = join(dir, 'resume.ndjson');
    const ckpt = join(dir, 'resume.ckpt');
    const args = ['--out', out, '--checkpoint', ckpt, '-0', names, names, '-', join(tree, 'copies')];
    const stdin = Buffer.concat([nameBytes(5), Buffer.from([0]), Buffer.from(join(tree, 'copies')), Buffer.from([0])]);
    const run = startScan(args, stdin, { HASHSIEVE_TEST_DELAY_MS: '150' });
    await waitFor(() => lines(ckpt) >= 2 || run.child.exitCode !== null, 'a checkpointed batch');
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGKILL');
    await run.done;
    const partial = parseNdjson<Rec>(readFileSync(out, 'utf8'));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(NAMED + 3);
    const resumed = await startScan([...args, '--resume'], stdin, {}).done;
    expect(resumed.code).toBe(1);
    const all = parseNdjson<Rec>(readFileSync(out, 'utf8'));
    expect(all).toHaveLength(NAMED + 3);
    expect(new Set(all.map(keyOf)).size).toBe(NAMED + 3);
    expect(all.filter((x) => x.status === 'match')).toHaveLength(NAMED + 2); // all but the 90° rotation

    const whole = join(dir, 'whole.ndjson');
    const once = await startScan(['--out', whole, ...args.slice(4)], stdin, {}).done;
    expect(once.code).toBe(1);
    const straight = parseNdjson<Rec>(readFileSync(whole, 'utf8'));
    expect(straight.map(keyOf).sort()).toEqual(all.map(keyOf).sort());
  });
});

describe('--follow-symlinks', () => {
  // real/ holds a copy of known.png and a link back up (a loop); a link to real/ sorts before it (a-link) or after it (z-link).
  for (const link of ['a-link', 'z-link']) {
    test(`a folder reached twice is reported once, under the first path in byte order; the loop and the other route are skip rows (${link})`, () => {
      const root = join(dir, `follow-${link}`);
      mkdirSync(join(root, 'real'), { recursive: true });
      copyFileSync(join(tree, 'known.png'), join(root, 'real', 'k.png'));
      symlinkSync(join(root, 'real'), join(root, link));
      symlinkSync(root, join(root, 'real', 'up'));
      const r = scan(['--follow-symlinks', root]);
      expect(r.code).toBe(1);
      const [first, second] = link === 'a-link' ? [link, 'real'] : ['real', link];
      expect(r.records.map((x) => [x.path.slice(root.length + 1), x.status, x.skip?.reason ?? null]).sort()).toEqual(
        [
          [`${first}/k.png`, 'match', null],
          [`${first}/up`, 'skipped', 'symlink_loop'],
          [second, 'skipped', 'duplicate'],
        ].sort(),
      );
      expect(r.stderr).toMatch(/duplicate 1/);
    });
  }
});

describe('outputs', () => {
  test('the scan never walks its own report, checkpoint, summary or manifest', () => {
    const work = join(dir, 'own');
    mkdirSync(work);
    copyFileSync(join(tree, 'known.png'), join(work, 'known.png'));
    // Outputs inside a tree named on the command line are refused (evidence is never written to,
    // test/forensic-report.test.ts); a folder read from stdin cannot be checked ahead.
    expect(scan(['--out', 'rep.ndjson', '.'], { cwd: work }).code).toBe(2);
    const args = ['--out', 'rep.ndjson', '--checkpoint', 'ck.jsonl', '--summary', 'sum.json', '--manifest', 'man.json', '-'];
    expect(scan(args, { cwd: work, input: '.\n' }).code).toBe(1);
    rmSync(join(work, 'ck.jsonl'));
    expect(scan(['--force', ...args], { cwd: work, input: '.\n' }).code).toBe(1);
    const recs = parseNdjson<Rec>(readFileSync(join(work, 'rep.ndjson'), 'utf8'));
    expect(recs.map((x) => x.path)).toEqual(['known.png']);
  });

  test('--out refuses to overwrite an existing file unless --force', () => {
    const out = join(dir, 'exists.ndjson');
    writeFileSync(out, 'keep me\n');
    const r = scan(['--out', out, join(tree, 'known.png')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect(scan(['--out', out, '--force', join(tree, 'known.png')]).code).toBe(1);
    expect(parseNdjson<Rec>(readFileSync(out, 'utf8'))).toHaveLength(1);
  });
});
