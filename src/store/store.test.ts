import { rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { importList } from './import.js';
import { resolveDbPath } from './paths.js';
import { SCHEMA_VERSION } from './schema.js';
import { openStore } from './store.js';
import { fakeHex, tempDir, writeFile } from '../../test/support/store.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveDbPath', () => {
  it('prefers --db, then HASHSIEVE_DB, then XDG_DATA_HOME, then ~/.local/share', () => {
    const env = { HASHSIEVE_DB: '/env/x.db', XDG_DATA_HOME: '/xdg' };
    expect(resolveDbPath({ db: '/flag.db' }, env)).toBe('/flag.db');
    expect(resolveDbPath({}, env)).toBe('/env/x.db');
    expect(resolveDbPath({}, { XDG_DATA_HOME: '/xdg' })).toBe('/xdg/hashsieve/lists.db');
    expect(resolveDbPath({}, {})).toBe(join(homedir(), '.local/share/hashsieve/lists.db'));
    expect(resolveDbPath({}, { XDG_DATA_HOME: 'relative/ignored' })).toBe(join(homedir(), '.local/share/hashsieve/lists.db'));
  });
});

describe('openStore', () => {
  it('creates the database 0600 in a new 0700 folder and migrates it to the current schema', () => {
    const path = join(dir, 'fresh', 'nested', 'lists.db');
    const store = openStore(path);
    expect(statSync(join(dir, 'fresh', 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.lists()).toEqual([]);
    store.close();
    const again = openStore(path);
    expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('read-only: a missing file is a clear UsageError, and writes are refused', async () => {
    expect(() => openStore(join(dir, 'missing', 'lists.db'), { readonly: true })).toThrow(/No list database at .*list import/);
    const path = join(dir, 'ro', 'lists.db');
    const w = openStore(path);
    await importList(w, writeFile(dir, 'ro.txt', `md5 ${fakeHex(128, 1)}\n`), { name: 'x' });
    w.close();
    const r = openStore(path, { readonly: true });
    expect(r.lists().map((l) => l.name)).toEqual(['x']);
    expect(() => r.removeList('x')).toThrow(UsageError);
    await expect(importList(r, writeFile(dir, 'ro2.txt', `md5 ${fakeHex(128, 2)}\n`), { name: 'y' })).rejects.toThrow(/read-only/);
    r.close();
  });

  it('refuses files that are not hashsieve stores, and stores from a newer version', () => {
    const junk = writeFile(dir, 'junk.db', 'this is not sqlite at all'.repeat(200));
    expect(() => openStore(junk)).toThrow(/not a hashsieve list database/);
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => openStore(other)).toThrow(/not a hashsieve list database/);
    const newer = join(dir, 'newer', 'lists.db');
    openStore(newer).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openStore(newer)).toThrow(/newer than this hashsieve/);
    expect(() => openStore(newer, { readonly: true })).toThrow(/newer than this hashsieve/);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect(() => openStore(empty, { readonly: true })).toThrow(/not a hashsieve list database/);
  });
});

describe('loadPacked and entries', () => {
  it('packs every hash of a signal with its entry id, across lists or for named ones', async () => {
    const store = openStore(join(dir, 'packed', 'lists.db'));
    const a = Array.from({ length: 70 }, (_, i) => fakeHex(256, `a${i}`));
    const b = Array.from({ length: 5 }, (_, i) => fakeHex(256, `b${i}`));
    await importList(store, writeFile(dir, 'pa.txt', a.map((h) => `pdq ${h}`).join('\n') + `\nmd5 ${fakeHex(128, 0)}\n`), {
      name: 'a',
    });
    await importList(store, writeFile(dir, 'pb.txt', b.join('\n')), { name: 'b', signal: 'pdq', format: 'text' });
    const all = store.loadPacked('pdq');
    expect(all.bits).toBe(256);
    expect(all.count).toBe(75);
    expect(all.bytes.byteOffset % 8).toBe(0);
    expect(all.bytes.length).toBe(75 * 32);
    const infos = store.entries([...all.ids]);
    expect(infos.size).toBe(75);
    const seen = new Set<string>();
    for (let i = 0; i < all.count; i++) {
      const hex = Buffer.from(all.bytes.subarray(i * 32, (i + 1) * 32)).toString('hex');
      const info = infos.get(all.ids[i])!;
      expect(info.signal).toBe('pdq');
      expect((info.list === 'a' ? a : b).includes(hex)).toBe(true);
      seen.add(hex);
    }
    expect(seen.size).toBe(75);
    const onlyB = store.loadPacked('pdq', ['b']);
    expect(onlyB.count).toBe(5);
    expect([...store.entries([...onlyB.ids]).values()].every((e) => e.list === 'b')).toBe(true);
    expect(store.loadPacked('sha1').count).toBe(0);
    expect(() => store.loadPacked('pdq', ['nope'])).toThrow(/No list named "nope"/);
    expect(() => store.loadPacked('nosuchsignal')).toThrow(UsageError);
    expect(store.entries([999999]).size).toBe(0);
    store.close();
  });

  it('refuses to load when the recorded counts disagree with the entries', async () => {
    const store = openStore(join(dir, 'inconsistent', 'lists.db'));
    await importList(store, writeFile(dir, 'inc.txt', `pdq ${fakeHex(256, 1)}\npdq ${fakeHex(256, 2)}\n`), { name: 'x' });
    store.db.exec("UPDATE list_counts SET count = 1 WHERE signal = 'pdq'");
    expect(() => store.loadPacked('pdq')).toThrow(/inconsistent/);
    store.close();
  });

  it('removes a list with its entries', async () => {
    const store = openStore(join(dir, 'remove', 'lists.db'));
    await importList(store, writeFile(dir, 'rm.txt', `pdq ${fakeHex(256, 1)}\n`), { name: 'x' });
    expect(store.removeList('x')).toBe(true);
    expect(store.removeList('x')).toBe(false);
    expect(store.db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT count(*) FROM list_counts').pluck().get()).toBe(0);
    store.close();
  });
});
