import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pngHeaderOnly } from '../src/synthetic/images.js';
import { hashesOf, makeImageTree, makeList, parseNdjson, runCli } from './scan-helpers.js';

interface Rec {
  path: string;
  size: number | null;
  mtime: string | null;
  status: string;
  sha256?: string;
  matches: { list: string; entry: string | null; category: string | null; signal: string; distance: number; transform: string | null }[];
  hashes: Record<string, { hash: string; quality?: number; lowQuality?: boolean }>;
  error?: { code: string; message: string };
  skip?: { reason: string; message: string };
}

let dir: string;
let tree: string;
let db: string;

function byName(records: Rec[]): Map<string, Rec> {
  return new Map(records.map((r) => [relative(tree, r.path), r]));
}

function scan(args: string[], opts: { input?: string; cwd?: string } = {}) {
  const r = runCli(['scan', '--db', db, '--workers', '1', ...args], opts);
  return { ...r, records: r.stdout.trim().startsWith('{"path"') ? parseNdjson<Rec>(r.stdout) : [] };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-scan-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  const known = await hashesOf(join(tree, 'known.png'), ['pdq', 'md5']);
  const other = await hashesOf(join(tree, 'other.png'), ['sha256']);
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' },
    { signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' },
  ]);
  await makeList(db, 'exact-only', [{ signal: 'sha256', hash: other.sha256, id: 'X-9', category: 'B2' }], 'Other Org');
  const bad = join(tree, 'bad');
  writeFileSync(join(bad, 'huge-header.png'), pngHeaderOnly(100_000, 100_000));
  const jpeg = await sharp(join(tree, 'other.png')).jpeg().toBuffer();
  writeFileSync(join(bad, 'truncated.jpg'), jpeg.subarray(0, 300));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashsieve scan', () => {
  test('finds re-encoded and resized copies, reports every file once with its status, exits 1', () => {
    const r = scan(['--workers', '2', tree]);
    expect(r.code).toBe(1);
    const recs = byName(r.records);
    expect([...recs.keys()].sort()).toEqual(
      [
        'bad/empty.jpg',
        'bad/huge-header.png',
        'bad/notes.txt',
        'bad/truncated.jpg',
        'copies/known.half.png',
        'copies/known.q50.jpg',
        'copies/known.rot90.png',
        'flat.png',
        'known.png',
        'other.png',
      ].sort(),
    );
    const known = recs.get('known.png')!;
    expect(known.status).toBe('match');
    expect(known.matches).toContainEqual({ list: 'hotline', entry: 'K-1', category: 'A1', signal: 'pdq', distance: 0, transform: null });
    expect(known.matches).toContainEqual({ list: 'hotline', entry: 'K-1', category: 'A1', signal: 'md5', distance: 0, transform: null });
    expect(known.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(known.size).toBe(readFileSync(join(tree, 'known.png')).length);
    // Size and mtime come from the worker's lstat (the walk does not stat regular files): every
    // row, errors and the empty file included, carries the file's own.
    for (const [name, rec] of recs) {
      const st = lstatSync(join(tree, name));
      expect({ name, size: rec.size, mtime: rec.mtime }).toEqual({ name, size: st.size, mtime: new Date(Math.floor(st.mtimeMs)).toISOString() });
    }
    for (const copy of ['copies/known.q50.jpg', 'copies/known.half.png']) {
      const rec = recs.get(copy)!;
      expect(rec.status, copy).toBe('match');
      expect(rec.matches.map((m) => m.signal)).toEqual(['pdq']);
      expect(rec.matches[0].distance).toBeGreaterThan(0);
      expect(rec.matches[0].distance).toBeLessThanOrEqual(31);
    }
    expect(recs.get('copies/known.rot90.png')!.status).toBe('clean');
    expect(recs.get('other.png')!.status).toBe('match');
    expect(recs.get('other.png')!.matches).toEqual([
      { list: 'exact-only', entry: 'X-9', category: 'B2', signal: 'sha256', distance: 0, transform: null },
    ]);
    const flat = recs.get('flat.png')!;
    expect(flat.status).toBe('low_quality');
    expect(flat.hashes.pdq.lowQuality).toBe(true);
    expect(recs.get('bad/empty.jpg')!.error!.code).toBe('EMPTY_FILE');
    expect(recs.get('bad/notes.txt')!.error!.code).toBe('UNSUPPORTED_FORMAT');
    expect(recs.get('bad/notes.txt')!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(recs.get('bad/huge-header.png')!.error!.code).toBe('TOO_MANY_PIXELS');
    expect(recs.get('bad/truncated.jpg')!.status).toBe('error');
    expect(recs.get('bad/truncated.jpg')!.error!.code).toBe('DECODE_FAILED');
    expect(r.stderr).toMatch(/scanned 10 files/);
    expect(r.stderr).toMatch(/EMPTY_FILE 1/);
  });

  test('a device named as input is skipped with its reason; --max-bytes gives TOO_LARGE with the digest still matched; --max-pixels TOO_MANY_PIXELS', () => {
    const device = scan(['/dev/null']);
    expect(device.code).toBe(0);
    expect(device.records).toEqual([expect.objectContaining({ path: '/dev/null', status: 'skipped', skip: { reason: 'device', message: expect.any(String) } })]);
    const other = join(tree, 'other.png');
    const big = scan(['--max-bytes', '100', other]);
    const [rec] = big.records;
    expect(rec.error?.code).toBe('TOO_LARGE');
    expect(rec.hashes).not.toHaveProperty('pdq');
    expect(rec.status).toBe('match');
    expect(rec.matches).toEqual([{ list: 'exact-only', entry: 'X-9', category: 'B2', signal: 'sha256', distance: 0, transform: null }]);
    expect(big.code).toBe(1);
    const pixels = scan(['--max-pixels', '100', join(tree, 'known.png')]);
    expect(pixels.records[0].error?.code).toBe('TOO_MANY_PIXELS');
    expect(pixels.records[0].status).toBe('match');
    expect(pixels.records[0].matches.map((m) => m.signal)).toEqual(['md5']);
    expect(scan(['--max-bytes', 'lots', tree]).code).toBe(2);
  });

  test('--index-cache (or HASHSIEVE_INDEX_CACHE) saves the PDQ index once and later scans report the same', () => {
    const cache = join(dir, 'index-cache');
    const plain = scan(['--dihedral', tree]);
    const first = scan(['--dihedral', '--index-cache', cache, tree]);
    expect(readdirSync(cache).filter((f) => f.endsWith('.mih'))).toHaveLength(1);
    const second = runCli(['scan', '--db', db, '--workers', '1', '--dihedral', tree], { env: { HASHSIEVE_INDEX_CACHE: cache } });
    // Rows come in the order files finish (two per thread are in flight even with one worker).
    const strip = (text: string) =>
      parseNdjson<Rec>(text)
        .map(({ mtime: _m, ...rest }) => rest)
        .sort((a, b) => a.path.localeCompare(b.path));
    expect(strip(first.stdout)).toEqual(strip(plain.stdout));
    expect(strip(second.stdout)).toEqual(strip(plain.stdout));
    expect(second.code).toBe(plain.code);
    expect(second.stderr).not.toMatch(/warning/);
  });

  test('--dihedral matches a 90° rotation and names the transform', () => {
    const r = scan(['--dihedral', join(tree, 'copies')]);
    expect(r.code).toBe(1);
    const rot = byName(r.records).get('copies/known.rot90.png')!;
    expect(rot.status).toBe('match');
    expect(rot.matches[0]).toMatchObject({ list: 'hotline', signal: 'pdq', transform: 'rot90' });
  });

  test('--threshold, --lists and --algo select what matches', () => {
    const strict = byName(scan(['--threshold', 'pdq=0', tree]).records);
    expect(strict.get('known.png')!.status).toBe('match');
    expect(strict.get('copies/known.q50.jpg')!.status).toBe('clean');
    const onlyExact = scan(['--lists', 'exact-only', tree]);
    const recs = byName(onlyExact.records);
    expect(recs.get('known.png')!.status).toBe('clean');
    expect(recs.get('known.png')!.hashes).toHaveProperty('sha256');
    expect(recs.get('known.png')!.hashes).not.toHaveProperty('pdq');
    expect(recs.get('other.png')!.status).toBe('match');
    const algo = scan(['--algo', 'sha256', join(tree, 'known.png')]);
    expect(algo.code).toBe(0);
    expect(algo.stderr).toMatch(/md5, pdq hashes, which --algo does not compute/);
  });

  test('exit 0 when everything is clean, 3 with file errors and no match', () => {
    expect(scan([join(tree, 'copies', 'known.rot90.png'), join(tree, 'flat.png')]).code).toBe(0);
    const bad = scan([join(tree, 'bad'), join(dir, 'does-not-exist.jpg')]);
    expect(bad.code).toBe(3);
    const missing = bad.records.find((r) => r.path.endsWith('does-not-exist.jpg'))!;
    expect(missing).toMatchObject({ status: 'error', error: { code: 'UNREADABLE' } });
  });

  test('usage errors exit 2 with a message', () => {
    const cases: [string[], RegExp][] = [
      [[], /Give files or directories/],
      [['--threshold', 'pdq=x', tree], /pdq threshold/],
      [['--threshold', 'sha256=3', tree], /exact digest/],
      [['--lists', 'nope', tree], /No list named "nope"/],
      [['--format', 'xml', tree], /--format/],
      [['--checkpoint', join(dir, 'c.ckpt'), tree], /--checkpoint needs --out/],
      [['--workers', '-1', tree], /--workers/],
    ];
    for (const [args, message] of cases) {
      const r = scan(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const noDb = runCli(['scan', '--db', join(dir, 'missing.db'), tree]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/list import/);
  });

  test('--only-matches, --out, CSV and JSON formats', () => {
    const only = scan(['--only-matches', tree]);
    expect(only.records.every((r) => r.status === 'match')).toBe(true);
    expect(only.records.length).toBe(4);
    expect(only.stderr).toMatch(/scanned 10 files/);

    const csvPath = join(dir, 'report.csv');
    const csv = scan(['--format', 'csv', '--out', csvPath, tree]);
    expect(csv.code).toBe(1);
    expect(csv.stdout).toBe('');
    const lines = readFileSync(csvPath, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe(
      'path,size,mtime,status,pdq,md5,sha256,pdq_quality,match_list,match_entry,match_category,match_signal,match_distance,match_transform,error_code,error_message,skip_reason',
    );
    const knownRows = lines.filter((l) => l.startsWith(join(tree, 'known.png')));
    expect(knownRows).toHaveLength(2);
    expect(knownRows.some((l) => l.includes(',hotline,K-1,A1,md5,0,'))).toBe(true);
    expect(lines).toHaveLength(1 + 10 + 1);

    const jsonPath = join(dir, 'report.json');
    expect(scan(['--format', 'json', '--out', jsonPath, tree]).code).toBe(1);
    const doc = JSON.parse(readFileSync(jsonPath, 'utf8')) as { records: Rec[]; summary: { files: number; statuses: Record<string, number> } };
    expect(doc.records).toHaveLength(10);
    expect(doc.summary.files).toBe(10);
    expect(doc.summary.statuses.match).toBe(4);
  });

  test('CSV: a file name a spreadsheet would run as a formula is written as text', () => {
    const sub = join(dir, 'formula');
    mkdirSync(sub);
    writeFileSync(join(sub, '=1+1.png'), 'not an image');
    const r = scan(['--format', 'csv', '.'], { cwd: sub });
    expect(r.code).toBe(3);
    const rows = r.stdout.trim().split('\r\n');
    expect(rows).toHaveLength(2);
    expect(rows[1].startsWith("'=1+1.png,12,")).toBe(true);
    const ndjson = scan(['.'], { cwd: sub });
    expect(ndjson.records.map((x) => x.path)).toEqual(['=1+1.png']);
  });

  test('--summary and --manifest record versions, lists, thresholds, totals and the report digest', () => {
    const out = join(dir, 'm-report.ndjson');
    const summaryPath = join(dir, 'summary.json');
    const manifestPath = join(dir, 'manifest.json');
    const r = scan(['--out', out, '--summary', summaryPath, '--manifest', manifestPath, '--threshold', 'pdq=20', tree]);
    expect(r.code).toBe(1);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    expect(summary).toMatchObject({ files: 10, filesMatched: 3, interrupted: false, errors: { EMPTY_FILE: 1 } });
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    expect(m.tool).toMatchObject({ name: 'hashsieve', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(m.runtime.node).toBe(process.version);
    expect(m.runtime.sharp).toMatch(/^\d+\.\d+/);
    expect(m.runtime.libvips).toMatch(/^\d+\.\d+/);
    expect(m.commandLine.slice(0, 2)).toEqual(['hashsieve', 'scan']);
    expect(m.commandLine).toContain('pdq=20');
    expect(m.host.hostname).toBeTruthy();
    expect(Date.parse(m.startedAt)).toBeLessThanOrEqual(Date.parse(m.endedAt));
    expect(m.lists.map((l: { name: string }) => l.name).sort()).toEqual(['exact-only', 'hotline']);
    const hotline = m.lists.find((l: { name: string }) => l.name === 'hotline');
    expect(hotline).toMatchObject({ sourceOrg: 'Test Hotline', version: '2026-11-28', counts: { pdq: 1, md5: 1 } });
    expect(hotline.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.thresholds).toEqual({ pdq: 20 });
    expect(m.totals.files).toBe(10);
    const digest = createHash('sha256').update(readFileSync(out)).digest('hex');
    expect(m.report).toEqual({ path: out, format: 'ndjson', sha256: digest });
    expect(JSON.stringify(m)).not.toContain(readFileSync(join(tree, 'known.png')).subarray(0, 16).toString('hex'));
  });

  test('symlinks, FIFOs and --max-file-size are skipped with a reason; --follow-symlinks detects loops', () => {
    const t = join(dir, 'links');
    execFileSync('mkdir', ['-p', join(t, 'sub')]);
    writeFileSync(join(t, 'sub', 'notes.txt'), 'plain text\n');
    symlinkSync(join(tree, 'known.png'), join(t, 'link.png'));
    symlinkSync(t, join(t, 'sub', 'loop'));
    execFileSync('mkfifo', [join(t, 'pipe')]);
    const plain = byNameIn(t, scan([t]).records);
    expect(plain.get('link.png')).toMatchObject({ status: 'skipped', skip: { reason: 'symlink' } });
    expect(plain.get('sub/loop')).toMatchObject({ status: 'skipped', skip: { reason: 'symlink' } });
    expect(plain.get('pipe')).toMatchObject({ status: 'skipped', skip: { reason: 'fifo' } });
    expect(plain.get('sub/notes.txt')!.status).toBe('error');

    const followed = scan(['--follow-symlinks', t]);
    const f = byNameIn(t, followed.records);
    expect(f.get('link.png')!.status).toBe('match');
    expect(f.get('sub/loop')).toMatchObject({ status: 'skipped', skip: { reason: 'symlink_loop' } });
    expect(followed.records.length).toBe(4);
    expect(followed.code).toBe(1);

    const small = byName(scan(['--max-file-size', '1K', tree]).records);
    expect(small.get('known.png')).toMatchObject({ status: 'skipped', skip: { reason: 'too_large' } });
    expect(small.get('bad/notes.txt')!.status).toBe('error');
  });

  test('--include/--exclude globs, paths from stdin with - and -0', () => {
    const pngs = byName(scan(['--include', '*.png', '--exclude', 'bad', tree]).records);
    expect([...pngs.keys()].sort()).toEqual(['copies/known.half.png', 'copies/known.rot90.png', 'flat.png', 'known.png', 'other.png']);
    const onlyCopies = byName(scan(['--exclude', 'copies/**', '--exclude', '*.txt', tree]).records);
    expect([...onlyCopies.keys()].some((k) => k.startsWith('copies/') || k.endsWith('.txt'))).toBe(false);

    const stdin = scan(['-'], { input: `${join(tree, 'known.png')}\n${join(tree, 'copies')}\n` });
    expect(stdin.records.map((r) => relative(tree, r.path)).sort()).toEqual([
      'copies/known.half.png',
      'copies/known.q50.jpg',
      'copies/known.rot90.png',
      'known.png',
    ]);
    const nul = scan(['-0', '-'], { input: `${join(tree, 'known.png')}\0${join(tree, 'other.png')}\0` });
    expect(nul.records.map((r) => relative(tree, r.path)).sort()).toEqual(['known.png', 'other.png']);
  });

  test('nothing is written next to the inputs', () => {
    const before = execFileSync('find', [tree, '-printf', '%p %s %T@\n'], { encoding: 'utf8' });
    scan(['--dihedral', tree]);
    expect(execFileSync('find', [tree, '-printf', '%p %s %T@\n'], { encoding: 'utf8' })).toBe(before);
    expect(existsSync(join(tree, '.hashsieve'))).toBe(false);
  });
});

function byNameIn(root: string, records: Rec[]): Map<string, Rec> {
  return new Map(records.map((r) => [relative(root, r.path), r]));
}
