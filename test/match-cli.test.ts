import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashesOf, makeList, parseNdjson, ROOT, runCli } from './scan-helpers.js';

interface Rec {
  path: string;
  path_bytes?: string;
  size: null;
  skip?: { reason: string; message: string };
  status: string;
  matches: { list: string; entry: string | null; category: string | null; signal: string; distance: number; transform: string | null }[];
  hashes: Record<string, { hash: string }>;
  md5?: string;
}

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** Flip the lowest `n` bits of a hex hash. */
function flipBits(hex: string, n: number): string {
  const bytes = Buffer.from(hex, 'hex');
  for (let i = 0; i < n; i++) bytes[bytes.length - 1 - Math.floor(i / 8)] ^= 1 << i % 8;
  return bytes.toString('hex');
}

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-match-'));
  db = join(dir, 'lists.db');
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: PDQ, id: 'E-1', category: 'A1' },
    { signal: 'md5', hash: MD5, id: 'E-2', category: 'B1' },
  ]);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashsieve match', () => {
  test('lines from arguments: near PDQ and exact md5 match, far ones are clean; exit 1', () => {
    const r = runCli(['match', '--db', db, `pdq ${flipBits(PDQ, 10)} upload-7`, `pdq ${flipBits(PDQ, 40)}`, `md5 ${MD5.toUpperCase()} file 3`]);
    expect(r.code).toBe(1);
    const recs = parseNdjson<Rec>(r.stdout);
    expect(recs.map((x) => [x.path, x.status])).toEqual([
      ['upload-7', 'match'],
      ['line 2', 'clean'],
      ['file 3', 'match'],
    ]);
    expect(recs[0].matches).toEqual([{ list: 'hotline', entry: 'E-1', category: 'A1', signal: 'pdq', distance: 10, transform: null }]);
    expect(recs[0].size).toBeNull();
    expect(recs[2]).toMatchObject({ md5: MD5, matches: [{ entry: 'E-2', signal: 'md5', distance: 0 }] });
  });

  test('lines and `hashsieve hash` NDJSON from stdin, --threshold, --only-matches, CSV to a file', () => {
    const input = [
      '# comment',
      '',
      `pdq ${flipBits(PDQ, 20)} a`,
      JSON.stringify({ path: 'dir/b.jpg', size: 10, hashes: { pdq: { hash: flipBits(PDQ, 5), quality: 90 } } }),
      JSON.stringify({ path: 'dir/low.jpg', size: 10, hashes: { pdq: { hash: PDQ, quality: 10 } } }),
      JSON.stringify({ path: 'dir/bad.jpg', size: 0, error: { code: 'EMPTY_FILE', message: 'The file is empty (0 bytes)' } }),
    ].join('\n');
    const r = runCli(['match', '--db', db, '--threshold', 'pdq=8'], { input });
    expect(r.code).toBe(1);
    expect(parseNdjson<Rec>(r.stdout).map((x) => [x.path, x.status])).toEqual([
      ['a', 'clean'],
      ['dir/b.jpg', 'match'],
      ['dir/low.jpg', 'low_quality'],
      ['dir/bad.jpg', 'error'],
    ]);
    const only = runCli(['match', '--db', db, '--only-matches', '-'], { input });
    expect(parseNdjson<Rec>(only.stdout).map((x) => x.path)).toEqual(['a', 'dir/b.jpg']);
    const out = join(dir, 'm.csv');
    expect(runCli(['match', '--db', db, '--format', 'csv', '--out', out], { input: `pdq ${PDQ} x\n` }).code).toBe(1);
    const csv = readFileSync(out, 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^path,size,mtime,status,pdq,md5,match_list/);
    expect(csv[1]).toMatch(/^x,,,match,/);
  });

  test('no match exits 0; a malformed line or an unknown signal exits 2 with its line number', () => {
    expect(runCli(['match', '--db', db, `pdq ${flipBits(PDQ, 64)}`]).code).toBe(0);
    const failed = JSON.stringify({ path: 'x.jpg', size: 0, error: { code: 'EMPTY_FILE', message: 'empty' } });
    expect(runCli(['match', '--db', db], { input: `${failed}\n` }).code).toBe(3);
    const short = runCli(['match', '--db', db], { input: `pdq ${PDQ}\npdq abc\n` });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/stdin:2: Expected 64 hex characters/);
    const unknown = runCli(['match', '--db', db, 'phash 00ff']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/argument:1: Unknown signal "phash"/);
  });

  // A file `hash` did not hash (a link not followed, a device) must not come out of `match` as clean.
  test('`hashsieve hash` skip rows stay skipped through `match`, and names that are not UTF-8 keep their bytes', () => {
    const tree = join(dir, 'skips');
    mkdirSync(tree);
    const a = join(ROOT, 'fixtures', 'images', 'a.png');
    symlinkSync(a, join(tree, 'link.png'));
    const latin1 = Buffer.concat([Buffer.from(tree + '/caf'), Buffer.from([0xe9]), Buffer.from('.png')]);
    copyFileSync(a, latin1);
    const hashed = runCli(['hash', '--algo', 'md5', '--format', 'ndjson', tree, '/dev/null']);
    expect(hashed.code).toBe(0);
    const r = runCli(['match', '--db', db], { input: hashed.stdout });
    expect(r.code).toBe(0);
    const recs = parseNdjson<Rec>(r.stdout);
    expect(recs.map((x) => [x.status, x.skip?.reason ?? null])).toEqual([
      ['clean', null],
      ['skipped', 'symlink'],
      ['skipped', 'device'],
    ]);
    expect(recs[0].path_bytes).toBe(latin1.toString('base64'));
    expect(recs[1].skip?.message).toMatch(/not followed/);
    expect(r.stderr).toMatch(/1 clean, 0 low quality, 0 errors, 2 skipped/);
  });

  test('`hashsieve hash --dihedral` output piped into `match --dihedral` finds a 90° rotation', async () => {
    const fixtures = join(ROOT, 'fixtures', 'images');
    const pdqA = (await hashesOf(join(fixtures, 'a.png'), ['pdq'])).pdq;
    const rotDb = join(dir, 'rot.db');
    await makeList(rotDb, 'rot', [{ signal: 'pdq', hash: pdqA, id: 'A', category: 'demo' }]);
    const hashed = runCli(['hash', '--algo', 'pdq', '--dihedral', '--format', 'ndjson', join(fixtures, 'a.rot90.png')]);
    expect(hashed.code).toBe(0);
    const plain = runCli(['match', '--db', rotDb], { input: hashed.stdout });
    expect(parseNdjson<Rec>(plain.stdout)[0].status).toBe('clean');
    const r = runCli(['match', '--db', rotDb, '--dihedral'], { input: hashed.stdout });
    expect(r.code).toBe(1);
    expect(parseNdjson<Rec>(r.stdout)[0].matches).toEqual([
      { list: 'rot', entry: 'A', category: 'demo', signal: 'pdq', distance: expect.any(Number), transform: 'rot90' },
    ]);
  });
});
