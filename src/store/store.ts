import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import type { PackedHashes } from '../types.js';
import { getSignal } from '../signals/registry.js';
import { chunksFromEntries, storedChunks } from './packed.js';
import { ensureDbFile } from './paths.js';
import { checkReadable, migrate, PACKED_SINCE_VERSION, userVersion } from './schema.js';
import type { EntryInfo, ListInfo, ListKind, StoreReader } from './types.js';

export interface OpenStoreOptions {
  /** Scans open read-only: the file must exist and is never created, migrated or written. */
  readonly readonly?: boolean;
}

const BUSY_TIMEOUT_MS = 5000;
interface ListRow {
  id: number;
  name: string;
  source_org: string | null;
  version: string | null;
  description: string | null;
  imported_at: string;
  source_file: string | null;
  source_sha256: string | null;
  signature_status: 'verified' | 'unsigned';
  key_fingerprint: string | null;
  entries_digest: string;
  /** Absent in a store from before list kinds (read-only, so not migrated). */
  kind?: ListKind;
}

/** Tags are stored as a JSON array of strings, '' when there are none. */
export function encodeTags(tags: readonly string[]): string {
  return tags.length === 0 ? '' : JSON.stringify(tags);
}

export function decodeTags(stored: string): string[] {
  return stored === '' ? [] : (JSON.parse(stored) as string[]);
}

/** The SQLite hash-list store: the read side scans use plus list management. */
export class Store implements StoreReader {
  private readonly countsStmt: Database.Statement;
  private entryStmt: Database.Statement | null = null;
  private readonly hasPacked: boolean;

  constructor(
    readonly path: string,
    /** The connection; importers and maintenance commands write through it. */
    readonly db: Database.Database,
    readonly readonly: boolean,
  ) {
    this.countsStmt = db.prepare('SELECT signal, count FROM list_counts WHERE list_id = ? ORDER BY signal');
    this.hasPacked = userVersion(db) >= PACKED_SINCE_VERSION;
  }

  lists(): ListInfo[] {
    const rows = this.db.prepare('SELECT * FROM lists ORDER BY name').all() as ListRow[];
    return rows.map((r) => this.toInfo(r));
  }

  list(name: string): ListInfo | undefined {
    const row = this.db.prepare('SELECT * FROM lists WHERE name = ?').get(name) as ListRow | undefined;
    return row && this.toInfo(row);
  }

  /** The named list; throws UsageError when there is none. */
  requireList(name: string): ListInfo {
    const info = this.list(name);
    if (!info) throw new UsageError(`No list named ${JSON.stringify(name)}`);
    return info;
  }

  /** The list's row id; throws UsageError when there is none by that name. */
  listId(name: string): number {
    const id = this.db.prepare('SELECT id FROM lists WHERE name = ?').pluck().get(name) as number | undefined;
    if (id === undefined) throw new UsageError(`No list named ${JSON.stringify(name)}`);
    return id;
  }

  /**
   * Every hash of one signal, packed: the lists' stored chunks (written at import) copied into
   * one buffer sized from the recorded counts, which must agree with them. A store from before
   * the `packed` table (opened read-only, so not upgraded) is read from its entries instead.
   */
  loadPacked(signal: string, listNames?: readonly string[]): PackedHashes {
    const sig = getSignal(signal);
    const width = sig.bits / 8;
    const infos = listNames ? listNames.map((n) => this.requireList(n)) : this.lists();
    const total = infos.reduce((sum, l) => sum + (l.counts[sig.name] ?? 0), 0);
    const bytes = new Uint8Array(total * width);
    const ids = new Uint32Array(total);
    let n = 0;
    for (const info of infos) {
      const chunks = this.hasPacked ? storedChunks(this.db, info.id, sig.name) : chunksFromEntries(this.db, info.id, sig.name, 0);
      for (const chunk of chunks) {
        const count = chunk.ids.length;
        if (n + count > total || chunk.hashes.length !== count * width || ('count' in chunk && chunk.count !== count)) {
          throw this.inconsistent();
        }
        bytes.set(chunk.hashes, n * width);
        ids.set(chunk.ids, n);
        n += count;
      }
    }
    if (n !== total) throw this.inconsistent();
    return { bits: sig.bits, count: total, bytes, ids };
  }

  private inconsistent(): Error {
    return new Error(`The list store ${this.path} is inconsistent (counts or packed hashes); run "hashsieve list verify"`);
  }

  entries(ids: readonly number[]): Map<number, EntryInfo> {
    this.entryStmt ??= this.db.prepare(
      `SELECT e.id, l.name, e.signal, e.external_id, e.category, e.tags
       FROM entries e JOIN lists l ON l.id = e.list_id WHERE e.id = ?`,
    );
    const out = new Map<number, EntryInfo>();
    for (const id of ids) {
      if (out.has(id)) continue;
      const r = this.entryStmt.get(id) as
        | { id: number; name: string; signal: string; external_id: string; category: string; tags: string }
        | undefined;
      if (!r) continue;
      out.set(id, {
        id: r.id,
        list: r.name,
        signal: r.signal,
        externalId: r.external_id || null,
        category: r.category || null,
        tags: decodeTags(r.tags),
      });
    }
    return out;
  }

  /** Remove a list and its entries in one transaction; false when there was none by that name. */
  removeList(name: string): boolean {
    this.writable();
    return this.db
      .transaction(() => {
        const id = this.db.prepare('SELECT id FROM lists WHERE name = ?').pluck().get(name) as number | undefined;
        if (id === undefined) return false;
        deleteList(this.db, id);
        return true;
      })
      .immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  writable(): void {
    if (this.readonly) throw new UsageError('The list store is open read-only');
  }

  private toInfo(r: ListRow): ListInfo {
    const counts: Record<string, number> = {};
    for (const c of this.countsStmt.all(r.id) as Array<{ signal: string; count: number }>) counts[c.signal] = c.count;
    return {
      id: r.id,
      name: r.name,
      kind: r.kind ?? 'known',
      sourceOrg: r.source_org,
      version: r.version,
      description: r.description,
      importedAt: r.imported_at,
      sourceFile: r.source_file,
      sourceSha256: r.source_sha256,
      counts,
      signatureStatus: r.signature_status,
      keyFingerprint: r.key_fingerprint,
      entriesDigest: r.entries_digest,
    };
  }
}

/** Delete a list's entries, counts and row (inside the caller's transaction). */
export function deleteList(db: Database.Database, listId: number): void {
  db.prepare('DELETE FROM entries WHERE list_id = ?').run(listId);
  db.prepare('DELETE FROM packed WHERE list_id = ?').run(listId);
  db.prepare('DELETE FROM list_counts WHERE list_id = ?').run(listId);
  db.prepare('DELETE FROM lists WHERE id = ?').run(listId);
}

/**
 * Open the store. Writable opens create the file (0600, folder 0700) and migrate the schema;
 * read-only opens need an existing, current store.
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  if (opts.readonly) {
    if (!existsSync(path)) {
      throw new UsageError(`No list database at ${path}; import a list first with "hashsieve list import"`);
    }
    const db = openOrExplain(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      checkReadable(db, path);
    } catch (err) {
      db.close();
      throw explain(err, path);
    }
    return new Store(path, db, true);
  }
  ensureDbFile(path);
  const db = openOrExplain(path, {});
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (err) {
    db.close();
    throw explain(err, path);
  }
  return new Store(path, db, false);
}

function openOrExplain(path: string, options: Database.Options): Database.Database {
  try {
    return new Database(path, options);
  } catch (err) {
    throw explain(err, path);
  }
}

function explain(err: unknown, path: string): Error {
  if (err instanceof UsageError) return err;
  const e = err as { code?: string; message?: string };
  if (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT') {
    return new UsageError(`${path} is not a hashsieve list database (${e.code})`);
  }
  if (e.code === 'SQLITE_CANTOPEN' || e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_PERM') {
    return new UsageError(`Cannot open the list database ${path} (${e.code})`);
  }
  return err as Error;
}
