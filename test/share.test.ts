import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSource } from '../src/synthetic/images.js';
import { openStore } from '../src/store/index.js';
import { hashesOf, makeImageTree, makeList, parseNdjson, runCli } from './scan-helpers.js';

let dir: string;
let tree: string;
let fresh: string;
let db: string;
let shared: string[];

/** The entries of a list as "signal hash id category" strings. */
function entries(dbPath: string, list: string): string[] {
  const store = openStore(dbPath, { readonly: true });
  try {
    const rows = store.db
      .prepare('SELECT e.signal, hex(e.hash) AS h, e.external_id AS id, e.category AS c FROM entries e JOIN lists l ON l.id = e.list_id WHERE l.name = ?')
      .all(list) as Array<{ signal: string; h: string; id: string; c: string }>;
    return rows.map((r) => `${r.signal} ${r.h.toLowerCase()} ${r.id} ${r.c}`).sort();
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-share-'));
  tree = join(dir, 'tree');
  fresh = join(dir, 'marked-new');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  mkdirSync(fresh);
  for (let i = 0; i < 2; i++) writeFileSync(join(fresh, `new${i}.png`), await sharp(await generateSource(70 + i, 128, 96)).png().toBuffer());
  const known = await hashesOf(join(tree, 'known.png'), ['pdq', 'md5']);
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' },
    { signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' },
  ]);
  const r = runCli(['scan', '--db', db, '--workers', '1', tree]);
  shared = [
    ...parseNdjson<{ path: string; status: string }>(r.stdout).filter((x) => x.status === 'match').map((x) => x.path),
    join(fresh, 'new0.png'),
    join(fresh, 'new1.png'),
  ];
  expect(shared.length).toBeGreaterThanOrEqual(4);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expected(signals: readonly string[], id: (i: number) => string, category: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of shared) {
    const h = await hashesOf(p, [...signals]);
    for (const s of signals) out.push(`${s} ${h[s]} ${id(0)} ${category}`);
  }
  return out.sort();
}

/** Entries with the id column replaced by a fixed mark (ids are assigned in completion order). */
function withoutIds(list: string[], mark: string): string[] {
  return list.map((e) => e.split(' ').map((v, i) => (i === 2 ? mark : v)).join(' ')).sort();
}

describe('scan --share round-trips through list import', () => {
  const formats: Array<[string, readonly string[], boolean, string]> = [
    ['vics', ['md5', 'sha1', 'pdq'], true, '3'],
    ['pytx-csv', ['md5', 'pdq'], false, '3'],
    ['hashdeep', ['md5', 'sha1', 'sha256'], true, ''],
  ];
  for (const [format, signals, hasIds, category] of formats) {
    test(`${format}: matched and marked-new files, no paths, read back as the same entries`, async () => {
      const file = join(dir, `share.${format}`);
      const r = runCli(['scan', '--db', db, '--workers', '1', '--share', file, '--share-format', format, '--share-category', '3', '--new-from', fresh, '-o', join(dir, `r-${format}.ndjson`), tree]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`shared ${shared.length} files`);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(tree);
      expect(text).not.toContain(fresh);
      const name = `back-${format}`;
      const imp = runCli(['list', 'import', '--db', db, '--name', name, file]);
      expect(imp.code, imp.stderr).toBe(0);
      const got = entries(db, name);
      const want = await expected(signals, () => 'ID', category);
      expect(hasIds ? withoutIds(got, 'ID') : got).toEqual(want.map((e) => (hasIds ? e : e.replace(' ID ', '  '))).sort());
      if (hasIds) expect(new Set(got.map((e) => e.split(' ')[2])).size).toBe(shared.length);
    });
  }

  test('--include-paths puts the paths in; the share file inside the tree is refused; --share-format is required', () => {
    const file = join(dir, 'paths.hashdeep');
    const r = runCli(['scan', '--db', db, '--workers', '1', '--share', file, '--share-format', 'hashdeep', '--include-paths', tree]);
    expect(r.code, r.stderr).toBe(1);
    expect(readFileSync(file, 'utf8')).toContain(join(tree, 'known.png'));
    const inside = runCli(['scan', '--db', db, '--workers', '1', '--share', join(tree, 's.json'), '--share-format', 'vics', tree]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('share file');
    expect(runCli(['scan', '--db', db, '--share', file, tree]).code).toBe(2);
  });
});
