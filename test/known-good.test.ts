import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSource } from '../src/synthetic/images.js';
import { makeRdsDb, type RdsFile } from './nsrl-fixture.js';
import { hashesOf, makeImageTree, makeList, parseNdjson, runCli } from './scan-helpers.js';

interface Rec {
  path: string;
  status: string;
  hashes: Record<string, { hash: string }>;
  error?: { code: string };
  matches: { list: string; signal: string }[];
}

let dir: string;
let tree: string;
let db: string;

async function rdsRow(path: string): Promise<RdsFile> {
  const h = await hashesOf(path, ['md5', 'sha1', 'sha256']);
  return { md5: h.md5, sha1: h.sha1, sha256: h.sha256, name: 'x.png', size: readFileSync(path).length };
}

function scan(args: string[]): { code: number | null; stderr: string; recs: Map<string, Rec> } {
  const r = runCli(['scan', '--db', db, '--workers', '1', '--algo', 'pdq,md5,sha256', ...args, tree]);
  return { code: r.code, stderr: r.stderr, recs: new Map(parseNdjson<Rec>(r.stdout).map((x) => [relative(tree, x.path), x])) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-kg-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  mkdirSync(join(tree, 'system'));
  for (let i = 0; i < 3; i++) writeFileSync(join(tree, 'system', `wallpaper${i}.png`), await sharp(await generateSource(40 + i, 96, 64)).png().toBuffer());
  // Bytes no decoder accepts: a decode would report an error row, so its absence proves no decode.
  writeFileSync(join(tree, 'system', 'setup.png'), Buffer.from('MZ not an image, an installer stub\n'));
  const known = await hashesOf(join(tree, 'known.png'), ['pdq', 'md5']);
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' },
    { signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' },
  ]);
  const goods = await Promise.all(['wallpaper0.png', 'wallpaper1.png', 'wallpaper2.png', 'setup.png'].map((f) => rdsRow(join(tree, 'system', f))));
  // known.png is in the NSRL too: a known list's exact match still wins.
  makeRdsDb(join(dir, 'RDS_2026.09.1_modern_minimal.db'), [...goods, await rdsRow(join(tree, 'known.png'))], 3000);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('known-good lists (NSRL RDSv3)', () => {
  test('list import reads an RDSv3 SQLite as a known-good list (sniffed, sha256 by default, duplicates kept once)', () => {
    const r = runCli(['list', 'import', '--db', db, '--name', 'nsrl', '--kind', 'known-good', '--source', 'NIST NSRL', '--json', join(dir, 'RDS_2026.09.1_modern_minimal.db')]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { format: string; imported: Record<string, number>; duplicates: number };
    expect(s.format).toBe('nsrl');
    expect(s.imported).toEqual({ sha256: 3005 });
    expect(s.duplicates).toBe(30);
    const info = JSON.parse(runCli(['list', 'info', '--db', db, '--json', 'nsrl']).stdout) as { kind: string };
    expect(info.kind).toBe('known-good');
    const md5 = runCli(['list', 'import', '--db', db, '--name', 'nsrl-md5', '--kind', 'known-good', '--signal', 'md5', '--json', join(dir, 'RDS_2026.09.1_modern_minimal.db')]);
    expect(md5.code, md5.stderr).toBe(0);
    expect((JSON.parse(md5.stdout) as { imported: Record<string, number> }).imported).toEqual({ md5: 3005 });
    expect(runCli(['list', 'remove', '--db', db, 'nsrl-md5']).code).toBe(0);
  });

  test('an append cannot change a list\'s kind', () => {
    const r = runCli(['list', 'import', '--db', db, '--name', 'nsrl', '--append', '--kind', 'known', join(dir, 'RDS_2026.09.1_modern_minimal.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kind known-good');
  });

  test('known-good files are reported known_good without being decoded; the summary counts them', () => {
    const summary = join(dir, 'summary.json');
    const { code, recs, stderr } = scan(['--summary', summary]);
    expect(code, stderr).toBe(1);
    for (const f of ['wallpaper0.png', 'wallpaper1.png', 'wallpaper2.png', 'setup.png']) {
      const r = recs.get(`system/${f}`)!;
      expect(r.status, f).toBe('known_good');
      expect(r.hashes.pdq, f).toBeUndefined();
      expect(r.hashes.sha256, f).toBeDefined();
      expect(r.error, f).toBeUndefined();
      expect(r.matches).toEqual([]);
    }
    expect(recs.get('known.png')!.status).toBe('match');
    expect(recs.get('known.png')!.hashes.pdq).toBeUndefined();
    expect(recs.get('other.png')!.status).toBe('clean');
    expect(recs.get('other.png')!.hashes.pdq).toBeDefined();
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { statuses: Record<string, number> };
    expect(s.statuses.known_good).toBe(4);
    expect(stderr).toContain('4 known good');
  });

  test('--no-known-good-skip decodes and matches them too (the broken one then errors)', () => {
    const { recs } = scan(['--no-known-good-skip']);
    expect(recs.get('system/wallpaper0.png')!.status).toBe('known_good');
    expect(recs.get('system/wallpaper0.png')!.hashes.pdq).toBeDefined();
    expect(recs.get('system/setup.png')!.status).toBe('error');
    expect(recs.get('known.png')!.status).toBe('match');
    expect(recs.get('known.png')!.hashes.pdq).toBeDefined();
  });

  test('a plain digest list imported as known-good works the same way', async () => {
    const list = join(dir, 'good-sha1.txt');
    const h = await hashesOf(join(tree, 'other.png'), ['sha1']);
    writeFileSync(list, `${h.sha1}\n`);
    const imp = runCli(['list', 'import', '--db', db, '--name', 'local-good', '--kind', 'known-good', '--format', 'text', '--signal', 'sha1', list]);
    expect(imp.code, imp.stderr).toBe(0);
    const { recs } = scan(['--lists', 'hotline,local-good', '--algo', 'pdq,sha1,sha256']);
    expect(recs.get('other.png')!.status).toBe('known_good');
    expect(recs.get('other.png')!.hashes.pdq).toBeUndefined();
    expect(recs.get('system/wallpaper0.png')!.status).toBe('clean');
    expect(runCli(['list', 'remove', '--db', db, 'local-good']).code).toBe(0);
  });

  test('match reports a hash in a known-good list as known_good, not as a finding', async () => {
    const h = await hashesOf(join(tree, 'system', 'wallpaper1.png'), ['sha256']);
    const r = runCli(['match', '--db', db, `sha256 ${h.sha256}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseNdjson<Rec>(r.stdout)[0].status).toBe('known_good');
  });

  test('without the known-good list selected, they are scanned as any file', () => {
    const { recs } = scan(['--lists', 'hotline']);
    expect(recs.get('system/wallpaper0.png')!.status).toBe('clean');
    expect(recs.get('system/setup.png')!.status).toBe('error');
  });
});

test('perceptual hashes in a known-good list are not used, and the scan says so', async () => {
  const list = join(dir, 'good-pdq.txt');
  const h = await hashesOf(join(tree, 'other.png'), ['pdq']);
  writeFileSync(list, `pdq ${h.pdq}\n`);
  expect(runCli(['list', 'import', '--db', db, '--name', 'pdq-good', '--kind', 'known-good', '--format', 'text', list]).code).toBe(0);
  const { recs, stderr } = scan(['--lists', 'hotline,pdq-good']);
  expect(stderr).toContain('known-good list pdq-good holds 1 pdq hashes');
  expect(recs.get('other.png')!.status).toBe('clean');
  expect(runCli(['list', 'remove', '--db', db, 'pdq-good']).code).toBe(0);
});
