import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeEntriesDigest, DIGEST_DOMAIN } from './digest.js';
import { openStore } from './store.js';
import { tempDir } from '../../test/support/store.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The definition, spelled out row by row in JavaScript. */
function referenceDigest(rows: Array<[string, Buffer, string, string, string]>): string {
  const h = createHash('sha256').update(DIGEST_DOMAIN);
  const cmp = (a: string | Buffer, b: string | Buffer) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const distinct = new Map(rows.map((r) => [JSON.stringify(r.map((f) => Buffer.from(f).toString('hex'))), r]));
  const sorted = [...distinct.values()].sort((x, y) => {
    for (let i = 0; i < 5; i++) {
      const c = cmp(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  for (const row of sorted) {
    for (const f of row) {
      const b = Buffer.from(f);
      h.update(`${b.length}:`).update(b);
    }
  }
  return h.digest('hex');
}

describe('computeEntriesDigest', () => {
  it('matches the row-by-row definition across several pages, with zero bytes and unicode', () => {
    const store = openStore(join(dir, 'd', 'lists.db'));
    const db = store.db;
    db.prepare("INSERT INTO lists (name, imported_at, entries_digest) VALUES ('a', '', ''), ('b', '', '')").run();
    const rows: Array<[string, Buffer, string, string, string]> = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 140_000; i++) {
      const hash = Buffer.alloc(i % 3 === 0 ? 16 : 32);
      for (let k = 0; k < hash.length; k++) hash[k] = (rand() >> 16) % 4 === 0 ? 0 : (rand() >> 16) & 0xff;
      rows.push([i % 3 === 0 ? 'md5' : 'pdq', hash, i % 5 === 0 ? `id-${i}-ü` : '', i % 7 === 0 ? 'cat' : '', i % 11 === 0 ? '["t"]' : '']);
    }
    const ins = db.prepare('INSERT OR IGNORE INTO entries (list_id, signal, hash, external_id, category, tags) VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const r of rows) ins.run(1, ...r);
      ins.run(2, 'pdq', Buffer.alloc(32), 'other list', '', '');
    })();
    const expected = referenceDigest(rows);
    expect(computeEntriesDigest(db, 1)).toBe(expected);
    expect(computeEntriesDigest(db, 2)).not.toBe(expected);
    expect(computeEntriesDigest(db, 3)).toBe(referenceDigest([]));
    store.close();
  });
});
