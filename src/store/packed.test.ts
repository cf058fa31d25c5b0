import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { computeEntriesDigest } from './digest.js';
import { importList } from './import.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { openStore, type Store } from './store.js';
import { verifyStore } from './verify.js';
import { fakeHex, tempDir, writeFile } from '../../test/support/store.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every (id, hex hash) of a signal read row by row from entries, the reference for loadPacked. */
function entryPairs(store: Store, signal: string, listNames?: string[]): string[] {
  const ids = listNames?.map((n) => store.listId(n));
  const rows = store.db
    .prepare(`SELECT id, hash FROM entries WHERE signal = ? ${ids ? `AND list_id IN (${ids.join(',')})` : ''}`)
    .raw()
    .all(signal) as Array<[number, Buffer]>;
  return rows.map(([id, h]) => `${id}:${h.toString('hex')}`).sort();
}

function packedPairs(store: Store, signal: string, listNames?: string[]): string[] {
  const p = store.loadPacked(signal, listNames);
  const width = p.bits / 8;
  return Array.from(p.ids, (id, i) => `${id}:${Buffer.from(p.bytes.subarray(i * width, (i + 1) * width)).toString('hex')}`).sort();
}

function listFile(name: string, from: number, to: number, extra = ''): string {
  const lines: string[] = ['signal_type,signal_str,collab,category,tags'];
  for (let i = from; i < to; i++) {
    const signal = i % 3 === 0 ? 'md5' : 'pdq';
    const id = i % 4 === 0 ? `e${i}-ñ😀` : '';
    lines.push(`${signal},${fakeHex(signal === 'md5' ? 128 : 256, i % 500)},${id},${i % 6 === 0 ? 'A' : ''},${i % 10 === 0 ? 'x y' : ''}`);
  }
  return writeFile(dir, name, lines.join('\n') + '\n' + extra);
}

describe('packed hashes', () => {
  it('are what the entries say after create, append (with repeats), replace and remove, and the digest is the definition', async () => {
    const store = openStore(join(dir, 'p', 'lists.db'));
    const a = await importList(store, listFile('a.csv', 0, 3000), { name: 'a', runBudgetBytes: 4096 });
    expect(a.duplicates).toBeGreaterThan(0);
    await importList(store, listFile('b.csv', 100, 900), { name: 'b' });
    expect(a.entriesDigest).toBe(computeEntriesDigest(store.db, store.listId('a')));
    const appended = await importList(store, listFile('a2.csv', 2500, 4000), { name: 'a', mode: 'append', runBudgetBytes: 2048 });
    expect(appended.duplicates).toBeGreaterThan(0);
    expect(appended.entriesDigest).toBe(computeEntriesDigest(store.db, store.listId('a')));
    for (const signal of ['pdq', 'md5']) {
      expect(packedPairs(store, signal)).toEqual(entryPairs(store, signal));
      expect(packedPairs(store, signal, ['a'])).toEqual(entryPairs(store, signal, ['a']));
    }
    await importList(store, listFile('b2.csv', 0, 50), { name: 'b', mode: 'replace' });
    expect(packedPairs(store, 'pdq', ['b'])).toEqual(entryPairs(store, 'pdq', ['b']));
    expect(store.removeList('a')).toBe(true);
    expect(packedPairs(store, 'md5')).toEqual(entryPairs(store, 'md5'));
    expect(store.db.prepare('SELECT count(*) FROM packed WHERE list_id NOT IN (SELECT id FROM lists)').pluck().get()).toBe(0);
    expect(verifyStore(store).ok).toBe(true);
    store.close();
  });

  it('list verify notices a changed, missing or extra packed chunk', async () => {
    const path = join(dir, 'v', 'lists.db');
    const store = openStore(path);
    await importList(store, listFile('v.csv', 0, 400), { name: 'v' });
    const db = store.db;
    const tamper = (sql: string): string[] => {
      db.exec('SAVEPOINT t');
      db.exec(sql);
      const problems = verifyStore(store).lists.flatMap((l) => l.problems);
      db.exec('ROLLBACK TO t');
      db.exec('RELEASE t');
      return problems;
    };
    expect(tamper("UPDATE packed SET hashes = zeroblob(length(hashes)) WHERE signal = 'pdq'")).toEqual([
      'pdq: packed hashes differ from the entries (packed hashes were changed)',
    ]);
    expect(tamper("DELETE FROM packed WHERE signal = 'md5'")[0]).toMatch(/^md5: 0 packed hashes but \d+ entries/);
    expect(tamper("INSERT INTO packed SELECT list_id, 'sha1', 0, 0, x'', x'' FROM packed LIMIT 1")).toEqual([
      'sha1: packed hashes without entries (packed hashes were changed)',
    ]);
    expect(verifyStore(store).ok).toBe(true);
    expect(() => {
      db.prepare("UPDATE packed SET count = count + 1 WHERE signal = 'pdq'").run();
      store.loadPacked('pdq');
    }).toThrow(/inconsistent/);
    store.close();
  });

  it('a store of schema version 1 is read from its entries when opened read-only, and gets its packed hashes on the first writable open', () => {
    const path = join(dir, 'v1.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0].sql);
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO lists (name, imported_at, entries_digest) VALUES ('old', '2025-01-01T00:00:00.000Z', '')").run();
    const ins = old.prepare("INSERT INTO entries (list_id, signal, hash) VALUES (1, 'pdq', ?)");
    old.transaction(() => {
      for (let i = 0; i < 70_000; i++) ins.run(Buffer.from(fakeHex(256, i), 'hex'));
    })();
    old.prepare("INSERT INTO list_counts VALUES (1, 'pdq', 70000)").run();
    old.close();
    const reader = openStore(path, { readonly: true });
    const fromEntries = packedPairs(reader, 'pdq');
    expect(fromEntries).toEqual(entryPairs(reader, 'pdq'));
    expect(reader.db.pragma('user_version', { simple: true })).toBe(1);
    reader.close();
    const store = openStore(path);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.prepare('SELECT count(*) FROM packed').pluck().get()).toBe(2);
    expect(packedPairs(store, 'pdq')).toEqual(fromEntries);
    store.close();
  });
});
