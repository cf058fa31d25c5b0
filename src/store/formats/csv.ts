import { UsageError } from '../../errors.js';
import { SIGNALS } from '../../signals/registry.js';
import { MAX_LINE_BYTES } from '../lines.js';
import { lineFormat } from './lineformat.js';
import { CSV_FIELDS, displayName, nameAsId, optionalText, type CsvField, type EntrySink, type FormatOptions, type FormatParser } from './types.js';

/** python-threatexchange's export header, mapped onto our fields. */
const THREATEXCHANGE_COLUMNS: Readonly<Partial<Record<CsvField, string>>> = {
  signal: 'signal_type',
  hash: 'signal_str',
  category: 'category',
  tags: 'tags',
};
const THREATEXCHANGE_COLLAB = 'collab';
/** python-threatexchange's names for signals we call otherwise (an MD5 of a photo's or video's file bytes). */
const THREATEXCHANGE_SIGNALS: Readonly<Record<string, string>> = { photo_md5: 'md5', video_md5: 'md5' };
const TAG_SEPARATORS = /[\s,;]+/;
/** python-threatexchange joins a signal's tags with single spaces (dataset --csv). */
const THREATEXCHANGE_TAG_SEPARATORS = /\s+/;
/** Its opinion categories (AggregateSignalOpinionCategory); NEGATIVE_CLASS marks known non-matches. */
export const NEGATIVE_CLASS = 'NEGATIVE_CLASS';
export const NEGATIVE_CLASS_NOTE = 'entries of category NEGATIVE_CLASS (known non-matches; a scan can leave them out by category)';
/** In a table of hashes by signal (hash --format csv), the columns tried for the id, in order. */
const WIDE_ID_COLUMNS = ['path', 'filename', 'file_name', 'name'];
const LOW_QUALITY_SUFFIX = '_low_quality';
export const WIDE_LOW_QUALITY_NOTE = 'low-quality perceptual hashes not imported (flagged lowQuality by hashsieve)';

export type CsvRecord = { fields: string[]; line: number } | { error: string; line: number };

/**
 * RFC 4180 records assembled from lines: quoted fields may hold commas, doubled quotes and
 * newlines (a record then spans lines). A record is capped at MAX_LINE_BYTES characters.
 */
export class CsvReader {
  private fields: string[] = [];
  private cur = '';
  private inQuotes = false;
  private size = 0;
  private startLine = 0;

  /** Whether a quoted field is open (the next line continues the record). */
  get continuing(): boolean {
    return this.inQuotes;
  }

  /** Feed one line; returns a finished record, or null while a quoted field continues. */
  push(line: string, n: number): CsvRecord | null {
    if (!this.inQuotes) {
      this.startLine = n;
      this.size = 0;
      if (!line.includes('"')) return { fields: line.split(','), line: n };
    } else {
      this.cur += '\n';
    }
    this.size += line.length + 1;
    if (this.size > MAX_LINE_BYTES) {
      this.reset();
      return { error: `CSV record longer than ${MAX_LINE_BYTES} characters`, line: this.startLine };
    }
    let closedQuote = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (this.inQuotes) {
        if (ch !== '"') this.cur += ch;
        else if (line[i + 1] === '"') {
          this.cur += '"';
          i++;
        } else {
          this.inQuotes = false;
          closedQuote = true;
        }
      } else if (ch === ',') {
        this.fields.push(this.cur);
        this.cur = '';
        closedQuote = false;
      } else if (closedQuote) {
        this.reset();
        return { error: 'unexpected character after a closing quote', line: this.startLine };
      } else if (ch === '"' && this.cur === '') {
        this.inQuotes = true;
      } else {
        this.cur += ch;
      }
    }
    if (this.inQuotes) return null;
    this.fields.push(this.cur);
    const fields = this.fields;
    this.reset();
    return { fields, line: this.startLine };
  }

  /** At end of input: an error if a quoted field was never closed. */
  end(): CsvRecord | null {
    if (!this.inQuotes) return null;
    this.reset();
    return { error: 'quoted field never closed', line: this.startLine };
  }

  private reset(): void {
    this.fields = [];
    this.cur = '';
    this.inQuotes = false;
  }
}

type Columns = Partial<Record<CsvField, number>> & {
  collab?: number;
  /** python-threatexchange's own export: unknown signal types are counted, not refused. */
  threatexchange?: boolean;
  /** A table with one column per signal: [column, signal, its low-quality column]. */
  wide?: Array<[number, string, number | undefined]>;
};

/**
 * A table whose header names signals (hash --format csv: path,…,pdq,pdq_quality,pdq_low_quality,
 * …,sha256,error_code): each non-empty cell under a signal's column is an entry of that signal.
 */
function wideColumns(names: string[], options: FormatOptions): Columns | null {
  const wide: Array<[number, string, number | undefined]> = [];
  names.forEach((n, i) => {
    if (SIGNALS.has(n)) wide.push([i, n, names.indexOf(`${n}${LOW_QUALITY_SUFFIX}`) >= 0 ? names.indexOf(`${n}${LOW_QUALITY_SUFFIX}`) : undefined]);
  });
  if (wide.length === 0) return null;
  const cols: Columns = { wide };
  const want = options.columns ?? {};
  for (const field of ['id', 'category', 'tags'] as const) {
    const col = want[field];
    if (col === undefined) continue;
    const idx = names.indexOf(col.trim().toLowerCase());
    if (idx < 0) throw new UsageError(`CSV header has no column ${JSON.stringify(col)} (for ${field})`);
    cols[field] = idx;
  }
  if (cols.id === undefined) {
    const idx = WIDE_ID_COLUMNS.map((c) => names.indexOf(c)).find((i) => i >= 0);
    if (idx !== undefined) cols.id = idx;
  }
  return cols;
}

function mapColumns(header: string[], options: FormatOptions): Columns {
  const names = header.map((h) => h.trim().toLowerCase());
  const spec = options.columns ?? (names.includes('signal_str') ? THREATEXCHANGE_COLUMNS : null);
  if (!spec?.hash && !names.includes('signal_str')) {
    const wide = wideColumns(names, options);
    if (wide) return wide;
  }
  if (!spec) {
    throw new UsageError(
      'CSV header has no python-threatexchange columns (signal_type,signal_str); map yours with `columns` (hash=COL,signal=COL,id=COL,category=COL,tags=COL)',
    );
  }
  const cols: Columns = {};
  for (const field of CSV_FIELDS) {
    const want = spec[field];
    if (want === undefined) continue;
    const idx = names.indexOf(want.trim().toLowerCase());
    if (idx < 0) {
      if (spec === THREATEXCHANGE_COLUMNS && field !== 'hash' && field !== 'signal') continue;
      throw new UsageError(`CSV header has no column ${JSON.stringify(want)} (for ${field})`);
    }
    cols[field] = idx;
  }
  if (cols.hash === undefined) throw new UsageError('CSV columns: hash=COL is required');
  if (cols.signal === undefined && !options.signal) {
    throw new UsageError('CSV has no signal column: give `signal` or map one with `columns` (signal=COL)');
  }
  if (spec === THREATEXCHANGE_COLUMNS && names.includes(THREATEXCHANGE_COLLAB)) {
    cols.collab = names.indexOf(THREATEXCHANGE_COLLAB);
  }
  if (spec === THREATEXCHANGE_COLUMNS) cols.threatexchange = true;
  return cols;
}

export function splitTags(value: string | undefined, separators: RegExp = TAG_SEPARATORS): string[] {
  if (!value) return [];
  return value.split(separators).filter(Boolean);
}

/** One row of a table with a column per signal. */
function wideRow(sink: EntrySink, line: number, f: string[], cols: Columns): void {
  const idText = cols.id === undefined ? null : optionalText(f[cols.id]);
  const id = idText === null ? null : nameAsId(idText);
  const category = cols.category === undefined ? null : optionalText(f[cols.category]);
  const tags = splitTags(cols.tags === undefined ? undefined : f[cols.tags]);
  for (const [col, signal, lowQualityCol] of cols.wide!) {
    const hash = (f[col] ?? '').trim();
    if (hash === '') continue;
    if (lowQualityCol !== undefined && (f[lowQualityCol] ?? '').trim().toLowerCase() === 'true') {
      sink.note(WIDE_LOW_QUALITY_NOTE);
      continue;
    }
    sink.entry(line, signal, hash, id, category, tags);
  }
}

/**
 * CSV with a header row: python-threatexchange's export (signal_type,signal_str,collab,category,tags;
 * a collab value becomes the tag `collab:NAME`), or any CSV mapped with --columns.
 */
export function csvFormat(sink: EntrySink, options: FormatOptions): FormatParser {
  const reader = new CsvReader();
  let cols: Columns | null = null;
  let width = 0;
  const record = (rec: CsvRecord | null): void => {
    if (!rec) return;
    if ('error' in rec) {
      sink.problem(rec.line, rec.error);
      return;
    }
    const f = rec.fields;
    if (!cols) {
      cols = mapColumns(f, options);
      width = cols.wide ? 1 : Math.max(...Object.values(cols).map((i) => (typeof i === 'number' ? i : 0))) + 1;
      return;
    }
    if (f.length < width) {
      sink.problem(rec.line, `expected at least ${width} CSV columns but found ${f.length}`);
      return;
    }
    if (cols.wide) {
      wideRow(sink, rec.line, f, cols);
      return;
    }
    const given = cols.signal === undefined ? (options.signal as string) : f[cols.signal].trim();
    const signal = (cols.threatexchange && THREATEXCHANGE_SIGNALS[given.toLowerCase()]) || given;
    if (cols.threatexchange && !SIGNALS.has(signal.toLowerCase())) {
      sink.note(`python-threatexchange signal types not imported: ${displayName(signal) ?? '(unnamed)'}`);
      return;
    }
    const tags = splitTags(cols.tags === undefined ? undefined : f[cols.tags], cols.threatexchange ? THREATEXCHANGE_TAG_SEPARATORS : TAG_SEPARATORS);
    const collab = cols.collab === undefined ? null : optionalText(f[cols.collab]);
    if (collab) tags.push(`collab:${collab}`);
    const category = cols.category === undefined ? null : optionalText(f[cols.category]);
    if (cols.threatexchange && category === NEGATIVE_CLASS) sink.note(NEGATIVE_CLASS_NOTE);
    sink.entry(rec.line, signal, f[cols.hash as number].trim(), cols.id === undefined ? null : optionalText(f[cols.id]), category, tags);
  };
  return lineFormat(
    sink,
    (line, n) => {
      if (line.trim() === '' && !reader.continuing) return;
      record(reader.push(line, n));
    },
    () => record(reader.end()),
  );
}
