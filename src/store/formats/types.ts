import { hasUnsafeChars, quoteName } from '../../report/escape.js';
/** Where importers deliver what they read; the import validates, dedupes and stores it. */
export interface EntrySink {
  /**
   * One hash as the file spells it. `pos` is the line number (or record number for JSON formats);
   * the hash is parsed by its signal in the sink, never here.
   */
  entry(
    pos: number,
    signal: string,
    hash: string,
    externalId: string | null,
    category: string | null,
    tags: readonly string[],
  ): void;
  /** A line or record that cannot be imported; `reason` never contains the line's content. */
  problem(pos: number, reason: string): void;
  /** Something counted for the summary, e.g. PhotoDNA values that cannot be matched here. */
  note(key: string, count?: number): void;
}

/** A streaming format parser: fed byte chunks in order, then ended. */
export interface FormatParser {
  /** What `pos` counts, for error messages. */
  readonly unit: 'line' | 'record';
  feed(chunk: Buffer): void;
  end(): void;
}

export interface ListMetadata {
  readonly name?: string;
  readonly sourceOrg?: string | null;
  readonly version?: string | null;
  readonly description?: string | null;
  readonly entriesDigest?: string;
}

export type FormatName = 'text' | 'csv' | 'vics' | 'hashdeep' | 'export' | 'ndjson' | 'sums' | 'nsrl' | 'vpdq';
export const FORMAT_NAMES: readonly FormatName[] = ['text', 'csv', 'vics', 'hashdeep', 'export', 'ndjson', 'sums', 'nsrl', 'vpdq'];

/** Options the formats share; each reads only what concerns it. */
export interface FormatOptions {
  /** Signal for bare hashes (text) or a CSV without a signal column. */
  readonly signal?: string;
  /** vpdq: the video id of a reference hash file (default: the file name without its extension). */
  readonly videoId?: string;
  /** CSV column mapping, e.g. { hash: 'md5', id: 'file_id' }. */
  readonly columns?: Readonly<Partial<Record<CsvField, string>>>;
}

export type CsvField = 'hash' | 'id' | 'category' | 'signal' | 'tags';
export const CSV_FIELDS: readonly CsvField[] = ['hash', 'id', 'category', 'signal', 'tags'];

/**
 * A file name used as an entry's id: as it is, or in report/path-text.ts's quoted form when it
 * holds control characters (ids given as such are refused instead; see sink.ts). A name already
 * shown quoted by hashsieve (hash output) holds none and is kept as it is.
 */
export function nameAsId(name: string): string {
  return hasUnsafeChars(name) ? quoteName(name) : name;
}

/** Normalise a free-text field: trimmed, empty means absent. */
export function optionalText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}

/** A structural problem that no --skip-invalid can step over (no header, truncated JSON, …). */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly pos: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NAME_LIKE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;
const HEX_ONLY = /^[0-9a-fA-F]+$/;

/**
 * A name read from a list file (signal type, hash column) as it may appear in a message: only
 * when it looks like a name, never when it could be a hash (all hex digits) or other content.
 */
export function displayName(name: string): string | null {
  return NAME_LIKE.test(name) && !HEX_ONLY.test(name) ? name : null;
}
