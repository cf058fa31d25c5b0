import { SIGNALS } from '../signals/registry.js';
import { computeEntriesDigest } from './digest.js';
import { packedMismatch } from './packed.js';
import type { Store } from './store.js';

export interface ListVerification {
  readonly list: string;
  readonly ok: boolean;
  /** What is wrong, for a person (never entry contents). */
  readonly problems: readonly string[];
}

export interface StoreVerification {
  readonly ok: boolean;
  /** SQLite's integrity_check and foreign_key_check findings; empty when both pass. */
  readonly database: readonly string[];
  readonly lists: readonly ListVerification[];
}

/**
 * `list verify`: SQLite's integrity and foreign-key checks, then for each list (or the named one)
 * the recorded entries digest and per-signal counts against the entries actually stored, and
 * the packed hashes the scanner loads against those entries.
 */
export function verifyStore(store: Store, name?: string): StoreVerification {
  const db = store.db;
  const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>)
    .map((r) => r.integrity_check)
    .filter((r) => r !== 'ok');
  const fk = (db.pragma('foreign_key_check') as Array<{ table: string }>).map(
    (r) => `foreign key violation in table ${r.table}`,
  );
  const infos = name === undefined ? store.lists() : [store.requireList(name)];
  const lists = infos.map((info): ListVerification => {
    const problems: string[] = [];
    const actual = db
      .prepare('SELECT signal, length(hash) AS bytes, count(*) AS n FROM entries WHERE list_id = ? GROUP BY signal, bytes')
      .all(info.id) as Array<{ signal: string; bytes: number; n: number }>;
    const counted: Record<string, number> = {};
    for (const r of actual) {
      counted[r.signal] = (counted[r.signal] ?? 0) + r.n;
      const sig = SIGNALS.get(r.signal);
      if (!sig) problems.push(`${r.n} entries of unknown signal type "${r.signal}"`);
      else if (sig.bits / 8 !== r.bytes) problems.push(`${r.n} ${r.signal} hashes of ${r.bytes} bytes (expected ${sig.bits / 8})`);
    }
    for (const signal of new Set([...Object.keys(counted), ...Object.keys(info.counts)])) {
      if ((counted[signal] ?? 0) !== (info.counts[signal] ?? 0)) {
        problems.push(`${signal}: ${counted[signal] ?? 0} entries stored but ${info.counts[signal] ?? 0} recorded`);
      }
    }
    for (const signal of Object.keys(counted)) {
      const sig = SIGNALS.get(signal);
      const mismatch = sig ? packedMismatch(db, info.id, signal, sig.bits / 8) : null;
      if (mismatch) problems.push(`${signal}: ${mismatch} (packed hashes were changed)`);
    }
    const strayPacked = db
      .prepare('SELECT DISTINCT signal FROM packed WHERE list_id = ? AND signal NOT IN (SELECT signal FROM entries WHERE list_id = ?)')
      .pluck()
      .all(info.id, info.id) as string[];
    for (const signal of strayPacked) problems.push(`${signal}: packed hashes without entries (packed hashes were changed)`);
    if (computeEntriesDigest(db, info.id) !== info.entriesDigest) {
      problems.push('entries digest differs from the one recorded at import (entries were changed)');
    }
    return { list: info.name, ok: problems.length === 0, problems };
  });
  const database = [...integrity, ...fk];
  return { ok: database.length === 0 && lists.every((l) => l.ok), database, lists };
}
