import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * The `packed` table: each list's hashes per signal as ready-made chunks (hash bytes and
 * little-endian u32 entry ids), so loading 10M hashes for the index is a few hundred BLOB reads.
 * Chunks are derived from `entries` at import; `packedMismatch` (run by `list verify`) checks
 * that both still say the same thing.
 */

/** Rows per chunk (and per rowid range when chunks are rebuilt from entries). */
export const CHUNK_ROWS = 65536;
const COMMA = 44;
const ZERO = 48;

export interface Chunk {
  readonly hashes: Uint8Array;
  readonly ids: Uint32Array;
}

/** Parse "12,13,20" (SQLite's group_concat of ids). */
function parseIds(text: string, count: number): Uint32Array {
  const ids = new Uint32Array(count);
  let i = 0;
  let v = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === COMMA) {
      ids[i++] = v;
      v = 0;
    } else {
      v = v * 10 + (c - ZERO);
    }
  }
  ids[i] = v;
  return ids;
}

const idBytes = (ids: Uint32Array): Buffer => Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength);

/** Appends chunks for one list and signal, continuing its sequence. */
export class PackedWriter {
  private readonly insert: Database.Statement;
  private seq: number;

  constructor(
    db: Database.Database,
    private readonly listId: number,
    private readonly signal: string,
  ) {
    this.insert = db.prepare('INSERT INTO packed (list_id, signal, seq, count, hashes, ids) VALUES (?, ?, ?, ?, ?, ?)');
    this.seq = db.prepare('SELECT coalesce(max(seq) + 1, 0) FROM packed WHERE list_id = ? AND signal = ?').pluck().get(listId, signal) as number;
  }

  write(chunk: Chunk): void {
    if (chunk.ids.length === 0) return;
    this.insert.run(this.listId, this.signal, this.seq++, chunk.ids.length, chunk.hashes, idBytes(chunk.ids));
  }
}

/** The list's entries of one signal with id >= fromId, in id order, as chunks. */
export function* chunksFromEntries(db: Database.Database, listId: number, signal: string, fromId: number): Generator<Chunk> {
  const [lo, hi] = db
    .prepare('SELECT min(id), max(id) FROM entries WHERE list_id = ? AND signal = ? AND id >= ?')
    .raw()
    .get(listId, signal, fromId) as [number | null, number | null];
  if (lo === null || hi === null) return;
  const range = db
    .prepare(
      `SELECT CAST(group_concat(hash, '') AS BLOB), group_concat(id), count(*) FROM
         (SELECT id, hash FROM entries NOT INDEXED WHERE id >= ? AND id < ? AND list_id = ? AND signal = ? ORDER BY id)`,
    )
    .raw();
  for (let from = lo; from <= hi; from += CHUNK_ROWS) {
    const [hashes, ids, count] = range.get(from, from + CHUNK_ROWS, listId, signal) as [Buffer | null, string | null, number];
    if (count === 0 || !hashes || !ids) continue;
    yield { hashes, ids: parseIds(ids, count) };
  }
}

/** Write chunks for the list's entries with id >= fromId (all of them with 0), every signal. */
export function packFromEntries(db: Database.Database, listId: number, fromId: number): void {
  const signals = db.prepare('SELECT DISTINCT signal FROM entries WHERE list_id = ?').pluck().all(listId) as string[];
  for (const signal of signals) {
    const writer = new PackedWriter(db, listId, signal);
    for (const chunk of chunksFromEntries(db, listId, signal, fromId)) writer.write(chunk);
  }
}

/** The stored chunks of one list and signal, in sequence order. */
export function* storedChunks(db: Database.Database, listId: number, signal: string): Generator<Chunk & { count: number }> {
  const rows = db.prepare('SELECT count, hashes, ids FROM packed WHERE list_id = ? AND signal = ? ORDER BY seq').raw();
  for (const [count, hashes, ids] of rows.iterate(listId, signal) as Iterable<[number, Buffer, Buffer]>) {
    const aligned = ids.byteOffset % 4 === 0 ? ids : Buffer.from(ids);
    yield { count, hashes, ids: new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4)) };
  }
}

/**
 * Why the stored chunks of a list's signal do not say what its entries say (null when they
 * agree): the same ids in ascending order with the same hashes, compared by digest.
 */
export function packedMismatch(db: Database.Database, listId: number, signal: string, width: number): string | null {
  const stored = { hashes: createHash('sha256'), ids: createHash('sha256'), rows: 0 };
  let previous = -1;
  for (const c of storedChunks(db, listId, signal)) {
    if (c.ids.length !== c.count || c.hashes.length !== c.count * width) return 'a packed chunk has the wrong size';
    for (const id of c.ids) {
      if (id <= previous) return 'packed ids are out of order';
      previous = id;
    }
    stored.hashes.update(c.hashes);
    stored.ids.update(idBytes(c.ids));
    stored.rows += c.count;
  }
  const actual = { hashes: createHash('sha256'), ids: createHash('sha256'), rows: 0 };
  for (const c of chunksFromEntries(db, listId, signal, 0)) {
    actual.hashes.update(c.hashes);
    actual.ids.update(idBytes(c.ids));
    actual.rows += c.ids.length;
  }
  if (stored.rows !== actual.rows) return `${stored.rows} packed hashes but ${actual.rows} entries`;
  if (stored.ids.digest('hex') !== actual.ids.digest('hex') || stored.hashes.digest('hex') !== actual.hashes.digest('hex')) {
    return 'packed hashes differ from the entries';
  }
  return null;
}
