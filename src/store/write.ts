import type Database from 'better-sqlite3';
import { EntriesDigest } from './digest.js';
import { firstImportEntryId, recordEntryIds } from './stable-ids.js';
import { CHUNK_ROWS, PackedWriter } from './packed.js';
import type { Cursor, Meta, SortedRows } from './runs.js';

/** Entry ids go to the index as u32. */
const MAX_ENTRY_ID = 0xffffffff;

/**
 * A page of bare hashes goes in as one statement over a table of row numbers (0..CHUNK_ROWS-1),
 * each row cut from the page's BLOB: about a third cheaper than a recursive CTE as the row source.
 */
const ROW_NUMBERS = `CREATE TEMP TABLE IF NOT EXISTS import_row_numbers (i INTEGER PRIMARY KEY);
  INSERT OR IGNORE INTO temp.import_row_numbers
    WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${CHUNK_ROWS}) SELECT i FROM s`;
const BARE_PAGE = (verb: string): string => `${verb} INTO entries (id, list_id, signal, hash, external_id, category, tags)
  SELECT @first + i, @list, @signal, substr(@hashes, i * @width + 1, @width), '', '', ''
  FROM temp.import_row_numbers WHERE i < @n`;
const ONE_ROW = (verb: string): string =>
  `${verb} INTO entries (id, list_id, signal, hash, external_id, category, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`;

export interface WriteResult {
  /** New entries per signal. */
  readonly added: Record<string, number>;
  /** Rows equal to another row of the file (or, appending, to an entry already in the list). */
  readonly duplicates: number;
  /** The new list's entries digest; null when appending (the list held entries before). */
  readonly digest: string | null;
}

/**
 * Write the collected rows into the list: entries with explicit ids in identity order, one
 * packed chunk per page, and (for a new list) the entries digest on the way. Appending, rows
 * equal to an existing entry are ignored and left out of the chunks.
 */
export function writeRows(db: Database.Database, listId: number, rows: SortedRows, append: boolean): WriteResult {
  const verb = append ? 'INSERT OR IGNORE' : 'INSERT';
  db.exec(ROW_NUMBERS);
  const bare = db.prepare(BARE_PAGE(verb));
  const one = db.prepare(ONE_ROW(verb));
  const presentIds = db.prepare('SELECT id FROM entries WHERE id >= ? AND id < ?').pluck();
  const digest = append ? null : new EntriesDigest();
  let nextId = firstImportEntryId(db);
  const added: Record<string, number> = {};
  let duplicates = 0;

  for (const signal of rows.signals()) {
    const packed = new PackedWriter(db, listId, signal);
    let width = 0;
    let hashes = new Uint8Array(0);
    let meta: Meta[] | null = null;
    let n = 0;

    const flush = (): void => {
      if (n === 0) return;
      const first = nextId;
      if (first + n - 1 > MAX_ENTRY_ID) throw new Error('The list store has run out of entry ids');
      nextId += n;
      const page = hashes.subarray(0, n * width);
      let inserted: number;
      if (meta === null) {
        inserted = bare.run({ first, list: listId, signal, hashes: page, width, n }).changes;
      } else {
        inserted = 0;
        for (let i = 0; i < n; i++) {
          const m = meta[i] ?? ['', '', ''];
          inserted += one.run(first + i, listId, signal, page.subarray(i * width, (i + 1) * width), m[0], m[1], m[2]).changes;
        }
      }
      let ids = Uint32Array.from({ length: n }, (_, i) => first + i);
      let chunkHashes = page;
      if (inserted < n) {
        const kept = new Set(presentIds.all(first, first + n) as number[]);
        const keep = [...ids.keys()].filter((i) => kept.has(first + i));
        chunkHashes = new Uint8Array(keep.length * width);
        keep.forEach((i, k) => chunkHashes.set(page.subarray(i * width, (i + 1) * width), k * width));
        ids = Uint32Array.from(keep, (i) => first + i);
        duplicates += n - inserted;
      }
      packed.write({ hashes: chunkHashes, ids });
      digest?.update(signal, page, n, width, meta);
      added[signal] = (added[signal] ?? 0) + inserted;
      n = 0;
      meta = null;
    };

    const take = (row: Cursor): void => {
      if (width === 0) {
        width = row.width;
        hashes = new Uint8Array(CHUNK_ROWS * width);
      }
      hashes.set(row.page.hashes.subarray(row.at * width, (row.at + 1) * width), n * width);
      const m = row.meta();
      if (m !== null && meta === null) meta = new Array<Meta>(n).fill(null);
      meta?.push(m);
      if (++n === CHUNK_ROWS) flush();
    };

    duplicates += rows.forEachDistinct(signal, take);
    flush();
  }
  recordEntryIds(db, nextId - 1, false);
  db.exec('DROP TABLE temp.import_row_numbers');
  return { added, duplicates, digest: digest?.digest() ?? null };
}
