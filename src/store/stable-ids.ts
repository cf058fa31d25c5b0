import type Database from 'better-sqlite3';
import type { Migration } from './schema.js';

/**
 * Names and ids the HTTP API hands out stay with what they named (one migration step).
 *
 * `entry_id_marks`: entry-id high-water marks, so that an id the API handed out (a bank content
 * id) is never handed out again, even after that content, its list, or newer entries are deleted.
 * `high` is the highest entry id ever given (by an import or the API); `api_high` the highest
 * given to API content. API content takes ids above `high`; imports take ids above both the
 * entries present and `api_high`, so a replaced or removed imported list's ids can be given to
 * a later import (an imported entry's id is its content id while its list stands), but never an
 * API content's.
 *
 * `bank_names`: the bank name each list was first shown under, kept while the list exists, so a
 * list imported later cannot take an existing list's bank name (see BankStore.banks).
 */
export const STABLE_IDS_MIGRATION: Migration = {
  sql: `
  CREATE TABLE IF NOT EXISTS bank_names (
    list_id INTEGER PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE
  ) STRICT;
  CREATE TABLE IF NOT EXISTS entry_id_marks (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    high INTEGER NOT NULL,
    api_high INTEGER NOT NULL
  ) STRICT;
  INSERT OR IGNORE INTO entry_id_marks (one, high, api_high)
    SELECT 1, coalesce((SELECT max(id) FROM entries), 0), coalesce((SELECT max(entry_id) FROM bank_content_entries), 0);
  `,
};

interface Marks {
  readonly high: number;
  readonly apiHigh: number;
}

function marks(db: Database.Database): Marks {
  const row = db.prepare('SELECT high, api_high FROM entry_id_marks WHERE one = 1').get() as { high: number; api_high: number } | undefined;
  return { high: row?.high ?? 0, apiHigh: row?.api_high ?? 0 };
}

function maxEntryId(db: Database.Database): number {
  return (db.prepare('SELECT max(id) FROM entries').pluck().get() as number | null) ?? 0;
}

/** The first id an import may give (inside the import's transaction). */
export function firstImportEntryId(db: Database.Database): number {
  return Math.max(maxEntryId(db), marks(db).apiHigh) + 1;
}

/** The first id new API content may give (inside its transaction): above every id ever given. */
export function firstApiEntryId(db: Database.Database): number {
  return Math.max(maxEntryId(db), marks(db).high) + 1;
}

/** Record that ids up to `last` were given; `api` for API content (inside the same transaction). */
export function recordEntryIds(db: Database.Database, last: number, api: boolean): void {
  db.prepare(
    `INSERT INTO entry_id_marks (one, high, api_high) VALUES (1, ?, ?)
     ON CONFLICT (one) DO UPDATE SET high = max(high, excluded.high), api_high = max(api_high, excluded.api_high)`,
  ).run(last, api ? last : 0);
}
