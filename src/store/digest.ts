import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * A list's entries digest: sha256 over "hashsieve-entries-v1\n" followed by every entry in the
 * order (signal, hash, external id, category, tags) — SQLite's BINARY order, which the identity
 * index already keeps — each field written as a 4-byte big-endian length and its bytes (text as
 * UTF-8, the hash raw). Row order in the file or table does not matter; any change to any field does.
 */
export const DIGEST_DOMAIN = 'hashsieve-entries-v1\n';
const BATCH_BYTES = 1 << 20;

const DIGEST_SQL = `SELECT signal, hash, external_id, category, tags FROM entries
  WHERE list_id = ? ORDER BY signal, hash, external_id, category, tags`;

export function computeEntriesDigest(db: Database.Database, listId: number): string {
  const h = createHash('sha256').update(DIGEST_DOMAIN);
  const buf = Buffer.allocUnsafe(BATCH_BYTES);
  let at = 0;
  const put = (field: string | Buffer): void => {
    const len = typeof field === 'string' ? Buffer.byteLength(field) : field.length;
    if (at + 4 + len > BATCH_BYTES) {
      h.update(buf.subarray(0, at));
      at = 0;
      if (4 + len > BATCH_BYTES) {
        const lenBytes = Buffer.alloc(4);
        lenBytes.writeUInt32BE(len);
        h.update(lenBytes).update(field);
        return;
      }
    }
    buf.writeUInt32BE(len, at);
    at += 4;
    if (typeof field === 'string') at += buf.write(field, at);
    else at += field.copy(buf, at);
  };
  const rows = db.prepare(DIGEST_SQL).raw().iterate(listId) as IterableIterator<[string, Buffer, string, string, string]>;
  for (const row of rows) {
    for (let i = 0; i < 5; i++) put(row[i]);
  }
  h.update(buf.subarray(0, at));
  return h.digest('hex');
}
