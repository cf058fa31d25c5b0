import Database from 'better-sqlite3';
import { UsageError } from '../../errors.js';
import type { EntrySink } from './types.js';

/** The first 16 bytes of every SQLite 3 database file. */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Digests an RDSv3 publication carries, under these column names in both FILE and METADATA. */
export const NSRL_SIGNALS = ['md5', 'sha1', 'sha256'] as const;
export type NsrlSignal = (typeof NSRL_SIGNALS)[number];

/** The digest imported when none is chosen: sha256, which every scan computes anyway. */
export const NSRL_DEFAULT_SIGNAL: NsrlSignal = 'sha256';

/**
 * Which relation to read: the METADATA table (one row per file NIST hashed, the digests the FILE
 * view shows), else the FILE view (NIST's documented interface: sha256, sha1, md5, file_name,
 * file_size, package_id). The view joins every row to PACKAGE_OBJECT, which made reading it
 * several times slower than the table on a large publication (docs/forensics.md).
 */
function sourceRelation(db: Database.Database, file: string, signal: NsrlSignal): string {
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')").pluck().all() as string[];
  for (const want of ['METADATA', 'FILE']) {
    const name = names.find((n) => n.toUpperCase() === want);
    if (!name) continue;
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[]).map((c) => c.toLowerCase());
    if (cols.includes(signal)) return name;
  }
  throw new UsageError(`${file} is an SQLite database without an NSRL RDSv3 FILE view or METADATA table holding ${signal}`);
}

/**
 * Read an NSRL RDSv3 publication (SQLite): one digest column of its METADATA table (or FILE
 * view), row by row (a cursor, so memory stays flat for hundreds of millions of rows). Each non-empty value becomes
 * an entry of `signal` without id or category; the sink dedupes and validates them.
 */
export function readNsrl(file: string, sink: EntrySink, signal: NsrlSignal): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new UsageError(`Cannot open ${file} as an SQLite database`);
  }
  try {
    const relation = sourceRelation(db, file, signal);
    const rows = db.prepare(`SELECT "${signal}" FROM "${relation}"`).pluck().iterate() as IterableIterator<unknown>;
    let n = 0;
    for (const value of rows) {
      n += 1;
      if (value === null || value === '') continue;
      if (typeof value !== 'string') sink.problem(n, `NSRL ${signal} value is not text`);
      else sink.entry(n, signal, value, null, null, []);
    }
  } finally {
    db.close();
  }
}
