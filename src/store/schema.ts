import type Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { packFromEntries } from './packed.js';
import { SERVICE_MIGRATION } from './service-schema.js';
import { STABLE_IDS_MIGRATION } from './stable-ids.js';

/** 'HSIV': marks a SQLite file as a hashsieve list store (PRAGMA application_id). */
export const APPLICATION_ID = 0x48534956;

/** One schema step: SQL, then optionally a data step run in the same transaction. */
export interface Migration {
  readonly sql: string;
  readonly data?: (db: Database.Database) => void;
}

/**
 * Schema migrations, in order. Migration i brings the database from user_version i to i + 1.
 * To change the schema, append one; never edit a released one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    sql: `
  CREATE TABLE lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    source_org TEXT,
    version TEXT,
    description TEXT,
    imported_at TEXT NOT NULL,
    source_file TEXT,
    source_sha256 TEXT,
    source_format TEXT,
    signature_status TEXT NOT NULL DEFAULT 'unsigned' CHECK (signature_status IN ('verified', 'unsigned')),
    key_fingerprint TEXT,
    entries_digest TEXT NOT NULL
  ) STRICT;
  -- external_id, category and tags use '' for "none" so that the identity index treats them as values.
  CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    signal TEXT NOT NULL,
    hash BLOB NOT NULL,
    external_id TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT ''
  ) STRICT;
  -- An entry's identity within its list; duplicates are kept once. Also covers loadPacked and the digest order.
  CREATE UNIQUE INDEX entries_identity ON entries (list_id, signal, hash, external_id, category, tags);
  CREATE TABLE list_counts (
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    signal TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (list_id, signal)
  ) STRICT, WITHOUT ROWID;
  `,
  },
  {
    // Each list's hashes per signal, packed in chunks of entry order as the index loads them:
    // hashes is count × hash-width bytes, ids count little-endian u32 entry ids. Derived from
    // entries at import; `list verify` checks the two agree.
    sql: `
  CREATE TABLE packed (
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    signal TEXT NOT NULL,
    seq INTEGER NOT NULL,
    count INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    ids BLOB NOT NULL,
    PRIMARY KEY (list_id, signal, seq)
  ) STRICT;
  `,
    data: (db) => {
      for (const id of db.prepare('SELECT id FROM lists').pluck().all() as number[]) packFromEntries(db, id, 0);
    },
  },
  SERVICE_MIGRATION,
  {
    // A list's kind: 'known' (matches are findings) or 'known-good' (matches mean "ignore", e.g. NSRL).
    sql: `ALTER TABLE lists ADD COLUMN kind TEXT NOT NULL DEFAULT 'known' CHECK (kind IN ('known', 'known-good'));`,
  },
  STABLE_IDS_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The first schema version with the `packed` table. */
export const PACKED_SINCE_VERSION = 2;

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkIdentity(db: Database.Database, path: string, version: number): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const fresh = appId === 0 && version === 0 && db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() === 0;
  if (appId !== APPLICATION_ID && !fresh) {
    throw new UsageError(`${path} is not a hashsieve list database`);
  }
  if (version > SCHEMA_VERSION) {
    throw new UsageError(
      `${path} has schema version ${version}, newer than this hashsieve understands (${SCHEMA_VERSION}); upgrade hashsieve`,
    );
  }
}

/** Bring a writable database to the current schema, each migration in its own transaction. */
export function migrate(db: Database.Database, path: string): void {
  const from = userVersion(db);
  checkIdentity(db, path, from);
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v].sql);
      MIGRATIONS[v].data?.(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/**
 * A read-only open cannot migrate: the file must be a store of this or an older schema version
 * (the reader copes with what an older one lacks; see Store.loadPacked).
 */
export function checkReadable(db: Database.Database, path: string): void {
  const v = userVersion(db);
  checkIdentity(db, path, v);
  if (v === 0) throw new UsageError(`${path} is not a hashsieve list database (empty); import a list first`);

}
