import type Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

/** 'HSIV': marks a SQLite file as a hashsieve list store (PRAGMA application_id). */
export const APPLICATION_ID = 0x48534956;

/**
 * Schema migrations, in order. Migration i brings the database from user_version i to i + 1.
 * To change the schema, append one; never edit a released one.
 */
export const MIGRATIONS: readonly string[] = [
  `
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database.Database): number {
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
      db.exec(MIGRATIONS[v]);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** A read-only open cannot migrate: the file must already be a current (or older readable) store. */
export function checkReadable(db: Database.Database, path: string): void {
  const v = userVersion(db);
  checkIdentity(db, path, v);
  if (v === 0) throw new UsageError(`${path} is not a hashsieve list database (empty); import a list first`);
}
