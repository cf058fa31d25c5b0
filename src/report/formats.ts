import { hostname, release } from 'node:os';
import { VERSION } from '../version.js';
import { caseRecord, type CaseInfo, type ReportProvenance } from './case.js';
import { dfxmlFormatter } from './dfxml.js';
import { hasUnsafeChars, quoteName, safeJson } from './escape.js';
import { displayPath } from './path-text.js';
import type { MatchInfo, ReportFormat, ScanRecord, ScanSummary } from './types.js';

/**
 * Turns records into report text. `index` is how many records the report already holds
 * (so a resumed JSON report keeps its commas right).
 */
export interface RecordFormatter {
  begin(): string;
  record(r: ScanRecord, index: number): string;
  end(summary: ScanSummary): string;
}

/** What the CSV header needs to know up front: the signals whose hashes get a column. */
export interface FormatterOptions {
  readonly signals: readonly string[];
  /** Signals that report a quality (PDQ): they also get a `<name>_quality` column. */
  readonly qualitySignals: readonly string[];
  /** Case metadata for the formats with a header (JSON, DFXML). */
  readonly case?: CaseInfo | null;
  /** Who wrote the report and from what (DFXML's creator and source). */
  readonly provenance?: ReportProvenance;
}

export function createFormatter(format: ReportFormat, opts: FormatterOptions): RecordFormatter {
  switch (format) {
    case 'ndjson':
      return { begin: () => '', record: (r) => `${safeJson(r)}\n`, end: () => '' };
    case 'json': {
      const kase = caseRecord(opts.case);
      return {
        begin: () => `{${kase ? `"case":${safeJson(kase)},\n` : ''}"records":[\n`,
        record: (r, index) => `${index > 0 ? ',\n' : ''}${safeJson(r)}`,
        end: (summary) => `\n],\n"summary":${safeJson(summary)}}\n`,
      };
    }
    case 'csv':
      return csvFormatter(opts);
    case 'dfxml':
      return dfxmlFormatter(opts.provenance ?? minimalProvenance(), opts.case ?? null);
  }
}

/** Who wrote a report when the caller gave no more (e.g. `match`, which reads hashes, not files). */
function minimalProvenance(): ReportProvenance {
  return {
    program: 'hashsieve',
    version: VERSION,
    commandLine: [],
    libraries: [{ name: 'node', version: process.version }],
    host: { hostname: hostname(), platform: process.platform, release: release(), arch: process.arch },
    startedAt: new Date().toISOString(),
    inputs: [],
  };
}

const CSV_MATCH_COLUMNS = ['list', 'entry', 'category', 'signal', 'distance', 'transform'] as const;

/** One row per match; a file without a match still gets one row with the match columns empty. */
function csvFormatter(opts: FormatterOptions): RecordFormatter {
  const header = [
    'path',
    'size',
    'mtime',
    'status',
    ...opts.signals,
    ...opts.qualitySignals.map((s) => `${s}_quality`),
    ...CSV_MATCH_COLUMNS.map((c) => `match_${c}`),
    'error_code',
    'error_message',
    'skip_reason',
  ];
  const row = (r: ScanRecord, m: MatchInfo | null): string =>
    [
      displayPath(r),
      r.size,
      r.mtime,
      r.status,
      ...opts.signals.map((s) => r.hashes[s]?.hash),
      ...opts.qualitySignals.map((s) => r.hashes[s]?.quality),
      ...CSV_MATCH_COLUMNS.map((c) => (m ? m[c] : null)),
      r.error?.code,
      r.error?.message,
      r.skip?.reason,
    ]
      .map(csvField)
      .join(',');
  return {
    begin: () => `${header.join(',')}\r\n`,
    record: (r) => (r.matches.length === 0 ? [row(r, null)] : r.matches.map((m) => row(r, m))).map((l) => `${l}\r\n`).join(''),
    end: () => '',
  };
}

/** What a spreadsheet takes as the start of a formula in a cell it opens from CSV. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field, RFC 4180 quoted. A text value that a spreadsheet would run as a formula (it
 * begins with =, +, -, @, tab or CR: "CSV injection", OWASP) gets a leading apostrophe, so it is
 * shown as text. File names on seized or uploaded storage are chosen by whoever wrote them, and a
 * scan of `.` reports them as they are. A text value holding control characters is written in
 * quoteName's reversible quoted form, so no terminal escape or line break reaches the file raw. Numbers are written unchanged; NDJSON and JSON carry every value
 * unchanged (\u-escaped).
 */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const text = typeof v === 'string' && hasUnsafeChars(v) ? quoteName(v) : String(v);
  const s = typeof v === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
