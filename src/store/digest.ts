import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Meta } from './runs.js';

/**
 * A list's entries digest: sha256 over "hashsieve-entries-v1\n" followed by every entry in the
 * order (signal, hash, external id, category, tags) — SQLite's BINARY order, which the identity
 * index keeps — each field written as a netstring-like `<byte length>:<bytes>` (text as UTF-8,
 * the hash raw; tags as stored, a JSON array or empty). Row order in the file or table does not
 * matter; any change to any field does.
 *
 * SQLite encodes one page of rows at a time into a single BLOB, so JavaScript handles one value
 * per page rather than five per row. The page is an ordered subquery that group_concat consumes
 * in order; an ORDER BY inside the aggregate would make that official but costs a second sort
 * (about a third of the time). digest.test.ts checks the result against the definition computed
 * row by row, so a SQLite that ever reordered would fail there, and loudly in `list verify`.
 */
export const DIGEST_DOMAIN = 'hashsieve-entries-v1\n';
const PAGE_ROWS = 65536;

const KEY = 'signal, hash, external_id, category, tags';
const field = (col: string): string => `length(CAST(${col} AS BLOB)) || ':' || ${col}`;
const ENCODED_ROW = ['signal', 'hash', 'external_id', 'category', 'tags'].map(field).join(' || ');
const AFTER = `list_id = ? AND (${KEY}) > (?, ?, ?, ?, ?)`;

const PAGE_SQL = `SELECT CAST(group_concat(${ENCODED_ROW}, '') AS BLOB), count(*)
  FROM (SELECT ${KEY} FROM entries WHERE ${AFTER} ORDER BY ${KEY} LIMIT ${PAGE_ROWS})`;
const LAST_OF_PAGE_SQL = `SELECT ${KEY} FROM entries WHERE ${AFTER} ORDER BY ${KEY} LIMIT 1 OFFSET ${PAGE_ROWS - 1}`;

/** Sorts before every real entry: '' is the smallest text and x'' the smallest blob. */
const BEFORE_ALL: readonly unknown[] = ['', Buffer.alloc(0), '', '', ''];

export function computeEntriesDigest(db: Database.Database, listId: number): string {
  const h = createHash('sha256').update(DIGEST_DOMAIN);
  const page = db.prepare(PAGE_SQL).raw();
  const lastOfPage = db.prepare(LAST_OF_PAGE_SQL).raw();
  let after: readonly unknown[] = BEFORE_ALL;
  for (;;) {
    const [blob, rows] = page.get(listId, ...after) as [Buffer | null, number];
    if (blob) h.update(blob);
    if (rows < PAGE_ROWS) break;
    after = lastOfPage.get(listId, ...after) as unknown[];
  }
  return h.digest('hex');
}

/**
 * The same digest computed while an import writes a new list in identity order: `update` takes
 * consecutive pages of the list's rows of one signal (signals in BINARY order), and `digest`
 * equals what computeEntriesDigest gives for the stored list.
 */
export class EntriesDigest {
  private readonly h = createHash('sha256').update(DIGEST_DOMAIN);

  update(signal: string, hashes: Uint8Array, count: number, width: number, meta: readonly Meta[] | null): void {
    const head = Buffer.from(`${Buffer.byteLength(signal)}:${signal}${width}:`);
    const bare = Buffer.from('0:0:0:');
    const rowBytes = head.length + width + bare.length;
    const out = Buffer.allocUnsafe(count * rowBytes);
    let at = 0;
    for (let i = 0; i < count; i++) {
      head.copy(out, at);
      at += head.length;
      out.set(hashes.subarray(i * width, (i + 1) * width), at);
      at += width;
      const m = meta?.[i] ?? null;
      if (m === null) {
        bare.copy(out, at);
        at += bare.length;
        continue;
      }
      this.h.update(out.subarray(0, at)).update(m.map((f) => `${Buffer.byteLength(f)}:${f}`).join(''), 'utf8');
      at = 0;
    }
    this.h.update(out.subarray(0, at));
  }

  digest(): string {
    return this.h.digest('hex');
  }
}
