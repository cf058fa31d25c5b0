import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { SIGNALS } from '../signals/registry.js';
import { formatExportHeader, formatExportLine } from './formats/exportfmt.js';
import { decodeTags, type Store } from './store.js';

const WRITE_BATCH_CHARS = 1 << 20;

/**
 * Write a list in the store's export format (see formats/exportfmt.ts), entries in digest order,
 * so `list import --format export` rebuilds the same entries and the same digest.
 */
export async function exportList(store: Store, name: string, out: Writable): Promise<number> {
  const { id: listId, ...meta } = store.requireList(name);
  let pending = formatExportHeader(meta);
  let n = 0;
  const rows = store.db
    .prepare(
      `SELECT signal, hash, external_id, category, tags FROM entries WHERE list_id = ?
       ORDER BY signal, hash, external_id, category, tags`,
    )
    .raw()
    .iterate(listId) as IterableIterator<[string, Buffer, string, string, string]>;
  for (const [signal, hash, externalId, category, tags] of rows) {
    const hex = SIGNALS.get(signal)?.format(hash) ?? hash.toString('hex');
    pending += formatExportLine(signal, hex, externalId || null, category || null, decodeTags(tags));
    n++;
    if (pending.length >= WRITE_BATCH_CHARS) {
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
    }
  }
  if (pending && !out.write(pending)) await once(out, 'drain');
  return n;
}
