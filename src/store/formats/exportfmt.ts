import { lineFormat } from './lineformat.js';
import { FormatError, type EntrySink, type FormatParser, type ListMetadata } from './types.js';

/**
 * The store's own export format (UTF-8, LF):
 *   #hashsieve-export 1 {"name":…,"sourceOrg":…,"version":…,"description":…,"entriesDigest":…,…}
 *   #signal<TAB>hash<TAB>id<TAB>category<TAB>tags
 *   pdq<TAB>f8f8…<TAB>A-17<TAB>1<TAB>tag1,tag2
 * Fields are backslash-escaped (\\ \t \n \r, and \, inside a tag); an empty field means none.
 */
export const EXPORT_MAGIC = '#hashsieve-export';
export const EXPORT_VERSION = 1;
export const EXPORT_COLUMNS_LINE = '#signal\thash\tid\tcategory\ttags';
const FIELD_COUNT = 5;

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', t: '\t', n: '\n', r: '\r', ',': ',' };

export function escapeField(s: string, alsoComma = false): string {
  let out = s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  if (alsoComma) out = out.replace(/,/g, '\\,');
  return out;
}

export function formatExportHeader(meta: Record<string, unknown>): string {
  return `${EXPORT_MAGIC} ${EXPORT_VERSION} ${JSON.stringify(meta)}\n${EXPORT_COLUMNS_LINE}\n`;
}

export function formatExportLine(
  signal: string,
  hex: string,
  externalId: string | null,
  category: string | null,
  tags: readonly string[],
): string {
  return `${signal}\t${hex}\t${escapeField(externalId ?? '')}\t${escapeField(category ?? '')}\t${tags
    .map((t) => escapeField(t, true))
    .join(',')}\n`;
}

/** Unescape one field, splitting on unescaped commas when `split`; null on a bad escape. */
function unescape(s: string, split: boolean): string[] | null {
  if (!s.includes('\\') && !(split && s.includes(','))) return [s];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      const e = ESCAPES[s[++i]];
      if (e === undefined) return null;
      cur += e;
    } else if (split && ch === ',') {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

export function parseExportHeader(line: string, n: number): ListMetadata {
  const prefix = `${EXPORT_MAGIC} ${EXPORT_VERSION} `;
  if (!line.startsWith(prefix)) {
    throw new FormatError(n, `expected the header "${EXPORT_MAGIC} ${EXPORT_VERSION} {…}"`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(line.slice(prefix.length));
  } catch {
    throw new FormatError(n, 'the export header metadata is not valid JSON');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new FormatError(n, 'the export header metadata is not a JSON object');
  }
  const m = meta as Record<string, unknown>;
  const str = (k: string): string | null => (typeof m[k] === 'string' ? (m[k] as string) : null);
  return {
    name: str('name') ?? undefined,
    sourceOrg: str('sourceOrg'),
    version: str('version'),
    description: str('description'),
    entriesDigest: str('entriesDigest') ?? undefined,
  };
}

export interface ExportParser extends FormatParser {
  /** The header's metadata, once the first line has been read. */
  metadata(): ListMetadata | null;
}

export function exportFormat(sink: EntrySink): ExportParser {
  let meta: ListMetadata | null = null;
  const parser = lineFormat(sink, (line, n) => {
    if (!meta) {
      meta = parseExportHeader(line, n);
      return;
    }
    if (line === '' || line.startsWith('#')) return;
    const f = line.split('\t');
    if (f.length !== FIELD_COUNT) {
      sink.problem(n, `expected ${FIELD_COUNT} tab-separated fields but found ${f.length}`);
      return;
    }
    const id = unescape(f[2], false);
    const category = unescape(f[3], false);
    const tags = f[4] === '' ? [] : unescape(f[4], true);
    if (!id || !category || !tags) {
      sink.problem(n, 'bad backslash escape');
      return;
    }
    sink.entry(n, f[0], f[1], id[0] || null, category[0] || null, tags);
  });
  return { ...parser, metadata: () => meta };
}
