import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { hasUnsafeChars, quoteName } from '../report/escape.js';
import { SIGNALS } from '../signals/registry.js';
import { computeEntriesDigest } from './digest.js';
import { csvFormat } from './formats/csv.js';
import { exportFormat, type ExportParser } from './formats/exportfmt.js';
import { hashdeepFormat } from './formats/hashdeep.js';
import { ndjsonFormat } from './formats/ndjson.js';
import { NSRL_DEFAULT_SIGNAL, NSRL_SIGNALS, readNsrl, type NsrlSignal } from './formats/nsrl.js';
import { sumsFormat } from './formats/sums.js';
import { textFormat } from './formats/text.js';
import {
  FORMAT_NAMES,
  FormatError,
  type EntrySink,
  type FormatName,
  type FormatOptions,
  type FormatParser,
} from './formats/types.js';
import { PHOTODNA_NOTE, vicsFormat } from './formats/vics.js';
import { videoIdFromFile, vpdqFileFormat } from './formats/vpdq.js';
import { normaliseSha256, verifyFileSignature, type VerifiedFile } from './integrity.js';
import { beginWrite, type LockWaitListener } from './lock.js';
import { readHead, sniffFormat } from './sniff.js';
import { SortedRows } from './runs.js';
import { LineRejected, ParsingSink } from './sink.js';
import { writeRows, type WriteResult } from './write.js';
import { deleteList, type Store } from './store.js';
import type { ListKind } from './types.js';

export type ImportMode = 'create' | 'replace' | 'append';

export interface ImportOptions extends FormatOptions {
  readonly name: string;
  readonly format?: FormatName | 'auto';
  readonly sourceOrg?: string;
  readonly version?: string;
  readonly description?: string;
  /** 'known' (default: matches are findings) or 'known-good' (matches mean "set aside"); an append keeps the list's. */
  readonly kind?: ListKind;
  /** Import the good lines and count the bad ones by reason, instead of rejecting the file. */
  readonly skipInvalid?: boolean;
  /** An existing list: 'replace' swaps it atomically, 'append' adds to it; 'create' (default) refuses. */
  readonly mode?: ImportMode;
  /** Refuse the file unless its sha256 is this. */
  readonly sha256?: string;
  /** Refuse the file unless this detached Ed25519 signature verifies with this PEM public key. */
  readonly signature?: { readonly signatureFile: string; readonly publicKeyFile: string };
  /** Told when another writer holds the database and the import waits for it (it waits as long as that takes). */
  readonly onLockWait?: LockWaitListener;
  /** Testing: called inside the transaction after each row read from the file. */
  readonly afterInsert?: (rowsSoFar: number) => void;
  /** Testing: hash bytes collected in memory before sorted runs are spilled (default 64 MiB). */
  readonly runBudgetBytes?: number;
  /** Testing: called inside the transaction once the entries are stored, before the commit. */
  readonly beforeCommit?: () => void;
  readonly now?: () => Date;
}

export interface ImportSummary {
  readonly list: string;
  readonly file: string;
  readonly format: FormatName;
  readonly mode: ImportMode;
  readonly sha256: string;
  readonly signatureStatus: 'verified' | 'unsigned';
  readonly keyFingerprint: string | null;
  /** New entries stored, per signal. */
  readonly imported: Readonly<Record<string, number>>;
  /** Entries identical to one already in the list (same signal, hash, id, category, tags). */
  readonly duplicates: number;
  /** Lines or records not imported, by reason (only with skipInvalid). */
  readonly skipped: Readonly<Record<string, number>>;
  /** PhotoDNA values seen (VICS); never importable here. */
  readonly photoDna: number;
  /** Other counted facts, e.g. hash columns not imported. */
  readonly notes: Readonly<Record<string, number>>;
  /** Entries in the list after the import, per signal. */
  readonly counts: Readonly<Record<string, number>>;
  readonly entriesDigest: string;
}

const READ_CHUNK_BYTES = 1 << 20;
const IMPORT_CACHE_KIB = 131072;
const MAX_NAME_LENGTH = 200;

function countsBySignal(db: Database.Database, listId: number): Record<string, number> {
  const rows = db.prepare('SELECT signal, count(*) AS n FROM entries WHERE list_id = ? GROUP BY signal').all(listId) as Array<{
    signal: string;
    n: number;
  }>;
  return Object.fromEntries(rows.map((r) => [r.signal, r.n]));
}

function makeParser(format: FormatName, sink: EntrySink, options: FormatOptions): FormatParser {
  switch (format) {
    case 'text':
      return textFormat(sink, options);
    case 'csv':
      return csvFormat(sink, options);
    case 'vics':
      return vicsFormat(sink);
    case 'hashdeep':
      return hashdeepFormat(sink);
    case 'export':
      return exportFormat(sink);
    case 'ndjson':
      return ndjsonFormat(sink, options);
    case 'sums':
      return sumsFormat(sink, options);
    case 'vpdq':
      return vpdqFileFormat(sink, options);
    case 'nsrl':
      throw new Error('An NSRL publication is read as a database, not parsed as a byte stream');
  }
}

function checkName(name: string): void {
  if (!name || name.trim() !== name || name.length > MAX_NAME_LENGTH || hasUnsafeChars(name) || name.includes(',')) {
    throw new UsageError(
      `Expected a list name of 1-${MAX_NAME_LENGTH} characters without commas (lists are selected by comma-separated names), control characters or surrounding spaces`,
    );
  }
}

function where(file: string, unit: 'line' | 'record', pos: number): string {
  return unit === 'line' ? `${quoteName(file)}:${pos}` : `${quoteName(file)}: record ${pos}`;
}

interface Checked {
  readonly mode: ImportMode;
  readonly format: FormatName;
  readonly wantSha: string | null;
  readonly verified: VerifiedFile | null;
}

/** Everything that can be refused before the database is touched. */
function checkRequest(file: string, options: ImportOptions): Checked {
  checkName(options.name);
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UsageError(`Cannot read ${quoteName(file)}`);
  }
  if (!isFile) throw new UsageError(`${quoteName(file)} is not a regular file`);
  if (options.signal !== undefined && !SIGNALS.has(options.signal.trim().toLowerCase())) {
    throw new UsageError(`Unknown signal ${JSON.stringify(options.signal)}; expected one of: ${[...SIGNALS.keys()].join(', ')}`);
  }
  const wantSha = options.sha256 === undefined ? null : normaliseSha256(options.sha256);
  const verified = options.signature
    ? verifyFileSignature(file, options.signature.signatureFile, options.signature.publicKeyFile)
    : null;
  const format = !options.format || options.format === 'auto' ? sniffFormat(readHead(file), options) : options.format;
  if (!FORMAT_NAMES.includes(format)) throw new UsageError(`Unknown list format ${JSON.stringify(format)}`);
  return { mode: options.mode ?? 'create', format, wantSha, verified };
}

/** The list row the entries go to, after dropping the old list on replace. */
function targetList(db: Database.Database, name: string, mode: ImportMode): number {
  const existing = db.prepare('SELECT id FROM lists WHERE name = ?').pluck().get(name) as number | undefined;
  if (existing !== undefined && mode === 'create') {
    throw new UsageError(`A list named ${JSON.stringify(name)} exists; use \`replace\` or \`append\``);
  }
  if (existing === undefined && mode === 'append') {
    throw new UsageError(`No list named ${JSON.stringify(name)} to append to`);
  }
  if (existing !== undefined && mode === 'append') return existing;
  if (existing !== undefined) deleteList(db, existing);
  return Number(db.prepare("INSERT INTO lists (name, imported_at, entries_digest) VALUES (?, '', '')").run(name).lastInsertRowid);
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

/** Read an NSRL RDSv3 database's chosen digest column into the sink; returns the file's sha256. */
async function readNsrlThrough(file: string, sink: ParsingSink, signal: string | undefined): Promise<string> {
  const want = (signal ?? NSRL_DEFAULT_SIGNAL).trim().toLowerCase();
  if (!(NSRL_SIGNALS as readonly string[]).includes(want)) {
    throw new UsageError(`An NSRL publication holds ${NSRL_SIGNALS.join(', ')}; ${JSON.stringify(want)} is not one of them`);
  }
  const sha256 = await fileSha256(file);
  readNsrl(file, sink, want as NsrlSignal);
  return sha256;
}

/** The kind the list gets: as asked on create or replace; on append, the list's own (a different one is refused). */
function listKind(db: Database.Database, listId: number, mode: ImportMode, asked: ListKind | undefined): ListKind {
  if (asked !== undefined && asked !== 'known' && asked !== 'known-good') throw new UsageError(`Unknown list kind ${JSON.stringify(asked)}; expected known or known-good`);
  if (mode !== 'append') return asked ?? 'known';
  const current = db.prepare('SELECT kind FROM lists WHERE id = ?').pluck().get(listId) as ListKind;
  if (asked !== undefined && asked !== current) {
    throw new UsageError(`The list is of kind ${current}; an append cannot make it ${asked}`);
  }
  return current;
}

/** Stream the file through its parser; returns the sha256 of the bytes read. */
async function readThrough(file: string, parser: FormatParser, fileHash = createHash('sha256')): Promise<string> {
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    fileHash.update(chunk);
    parser.feed(chunk);
  }
  parser.end();
  return fileHash.copy().digest('hex');
}

/** Write the collected rows into the list and record its counts per signal. */
function storeRows(db: Database.Database, listId: number, rows: SortedRows, append: boolean): WriteResult & { counts: Record<string, number> } {
  const result = writeRows(db, listId, rows, append);
  const counts = append ? countsBySignal(db, listId) : result.added;
  db.prepare('DELETE FROM list_counts WHERE list_id = ?').run(listId);
  const setCount = db.prepare('INSERT INTO list_counts (list_id, signal, count) VALUES (?, ?, ?)');
  for (const [signal, n] of Object.entries(counts)) setCount.run(listId, signal, n);
  return { ...result, counts };
}

/**
 * Import one list file in a single transaction: every hash is parsed by its signal; a bad line
 * rejects the whole file (or is counted with skipInvalid); nothing is written unless everything
 * (content, sha256, signature) checks out. The file is streamed, never held whole in memory
 * (except for a signature check, which needs it once).
 */
export async function importList(store: Store, fileOrFiles: string | readonly string[], options: ImportOptions): Promise<ImportSummary> {
  store.writable();
  const files = typeof fileOrFiles === 'string' ? [fileOrFiles] : fileOrFiles;
  let file = files[0];
  if (files.length === 0) throw new UsageError('Expected a list file');
  const { mode, format, wantSha, verified } = checkRequest(file, options);
  if (files.length > 1) {
    // Several reference files (one per video) make one list in one transaction.
    if (format !== 'vpdq') throw new UsageError('Only the vpdq format imports several files as one list');
    if (wantSha || verified) throw new UsageError('A sha256 or signature check takes a single file');
    for (const f of files.slice(1)) checkRequest(f, { ...options, format });
  }
  const db = store.db;
  const previousCache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  let unit: FormatParser['unit'] = 'line';
  try {
    await beginWrite(db, options.onLockWait);
    const rows = new SortedRows(db, options.runBudgetBytes);
    const sink = new ParsingSink(rows, Boolean(options.skipInvalid), options.afterInsert);
    const videoId = (f: string) => (format === 'vpdq' ? { videoId: options.videoId ?? videoIdFromFile(f) } : {});
    const parser = format === 'nsrl' ? null : makeParser(format, sink, { ...options, ...videoId(file) });
    unit = parser?.unit ?? 'record';
    const listId = targetList(db, options.name, mode);
    const kind = listKind(db, listId, mode, options.kind);
    const allBytes = createHash('sha256');
    let sha256 = parser ? await readThrough(file, parser, allBytes) : await readNsrlThrough(file, sink, options.signal);
    for (const next of files.slice(1)) {
      file = next;
      sha256 = await readThrough(file, makeParser(format, sink, { ...options, ...videoId(file) }), allBytes);
    }
    file = files[0];
    if (wantSha && sha256 !== wantSha) {
      throw new UsageError(`${quoteName(file)}: sha256 is ${sha256}, not the expected ${wantSha}; nothing imported`);
    }
    if (verified && sha256 !== verified.sha256) {
      throw new UsageError(`${quoteName(file)} changed after its signature was checked; nothing imported`);
    }
    if (sink.rows === 0) {
      throw new UsageError(`${quoteName(file)}: no hash entries found (format ${format}); nothing imported`);
    }
    const stored = storeRows(db, listId, rows, mode === 'append');
    rows.dispose();
    const { counts } = stored;
    const imported = Object.fromEntries(Object.entries(stored.added).filter(([, n]) => n > 0));
    options.beforeCommit?.();
    const digest = stored.digest ?? computeEntriesDigest(db, listId);
    const header = format === 'export' ? (parser as ExportParser).metadata() : null;
    const complete = mode !== 'append' && Object.keys(sink.skipped).length === 0;
    if (header?.entriesDigest && complete && header.entriesDigest !== digest) {
      throw new UsageError(`${quoteName(file)}: its entries do not match the digest in its header (altered export?); nothing imported`);
    }
    const keep = (col: string): string => (mode === 'append' ? `coalesce(?, ${col})` : '?');
    db.prepare(
      `UPDATE lists SET source_org = ${keep('source_org')}, version = ${keep('version')},
         description = ${keep('description')}, imported_at = ?, source_file = ?, source_sha256 = ?,
         source_format = ?, signature_status = ?, key_fingerprint = ?, entries_digest = ?, kind = ?
       WHERE id = ?`,
    ).run(
      options.sourceOrg ?? header?.sourceOrg ?? null,
      options.version ?? header?.version ?? null,
      options.description ?? header?.description ?? null,
      (options.now?.() ?? new Date()).toISOString(),
      files.length > 1 ? `${basename(file)} (+${files.length - 1} more)` : basename(file),
      sha256,
      format,
      verified ? 'verified' : 'unsigned',
      verified?.keyFingerprint ?? null,
      digest,
      kind,
      listId,
    );
    db.exec('COMMIT');
    const { [PHOTODNA_NOTE]: photoDna = 0, ...notes } = sink.notes;
    return {
      list: options.name,
      file,
      format,
      mode,
      sha256,
      signatureStatus: verified ? 'verified' : 'unsigned',
      keyFingerprint: verified?.keyFingerprint ?? null,
      imported,
      duplicates: stored.duplicates,
      skipped: sink.skipped,
      photoDna,
      notes,
      counts,
      entriesDigest: digest,
    };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (err instanceof LineRejected || err instanceof FormatError) {
      throw new UsageError(`${where(file, unit, err.pos)}: ${err.reason}; nothing imported`);
    }
    throw err;
  } finally {
    db.pragma(`cache_size = ${previousCache}`);
  }
}
