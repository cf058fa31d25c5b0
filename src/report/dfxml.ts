import { caseRecord, type CaseInfo, type ReportProvenance } from './case.js';
import type { RecordFormatter } from './formats.js';
import type { ScanRecord, ScanSummary } from './types.js';

/** The DFXML namespace (dfxml_schema 2.0.0-beta) and ours for what DFXML has no element for. */
export const DFXML_NS = 'http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML';
export const HASHSIEVE_NS = 'urn:hashsieve:dfxml:1';
const DC_NS = 'http://purl.org/dc/elements/1.1/';
const DFXML_VERSION = '2.0.0-beta';

/** Exact digests DFXML names in `hashdigest type=` (every other hash goes in our namespace). */
const DFXML_DIGESTS = new Set(['md5', 'sha1', 'sha256', 'sha224', 'sha384', 'sha512']);

/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference: C0 controls other
 * than tab, LF and CR; U+FFFE, U+FFFF; and lone surrogates.
 */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOT_XML_ALL = new RegExp(NOT_XML.source, 'g');
const TEXT_SPECIAL = /[&<>\t\n\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Whether a string holds a character XML 1.0 cannot represent. */
export function hasNonXml(s: string): boolean {
  return NOT_XML.test(s);
}

/**
 * Text content: markup characters escaped; tab, LF and CR as character references (so no parser
 * normalises them away); characters XML cannot carry replaced by U+FFFD (the caller records the
 * exact bytes beside, see fileName).
 */
export function xmlText(s: string): string {
  return s.replace(NOT_XML_ALL, '\ufffd').replace(TEXT_SPECIAL, (c) => ENTITIES[c]);
}

/** An attribute value (double-quoted), escaped as xmlText plus the quote. */
export function xmlAttr(s: string): string {
  return s.replace(NOT_XML_ALL, '\ufffd').replace(ATTR_SPECIAL, (c) => ENTITIES[c]);
}

function attrs(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  return pairs
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

function element(name: string, text: string, attributes: ReadonlyArray<readonly [string, unknown]> = []): string {
  return `<${name}${attrs(attributes)}>${xmlText(text)}</${name}>`;
}

/**
 * The `<filename>` of a file. When the name cannot be written as XML text exactly (bytes that are
 * not UTF-8, which the walk reports as `path_bytes`, or control characters XML 1.0 forbids), the
 * text is the name with U+FFFD in their place and `hashsieve:path_bytes` holds the exact bytes
 * in base64.
 */
export function fileName(record: Pick<ScanRecord, 'path'> & { readonly path_bytes?: unknown }): string {
  const path = String(record.path);
  const given = typeof record.path_bytes === 'string' ? record.path_bytes : null;
  const bytes = given ?? (hasNonXml(path) ? Buffer.from(path, 'utf8').toString('base64') : null);
  return element('filename', path, [['hashsieve:path_bytes', bytes]]);
}

/** One `<fileobject>`: DFXML elements in the schema's order, then ours (hashes, matches, status). */
export function fileObject(r: ScanRecord): string {
  const parts: string[] = [fileName(r)];
  if (r.error) parts.push(element('error', r.error.message, [['hashsieve:code', r.error.code]]));
  if (r.size !== null && r.status !== 'skipped') parts.push(`<filesize>${r.size}</filesize>`);
  if (r.mtime !== null) parts.push(`<mtime>${xmlText(r.mtime)}</mtime>`);
  for (const [name, h] of Object.entries(r.hashes)) {
    if (DFXML_DIGESTS.has(name)) parts.push(element('hashdigest', h.hash, [['type', name]]));
  }
  for (const [name, h] of Object.entries(r.hashes)) {
    if (DFXML_DIGESTS.has(name)) continue;
    parts.push(element('hashsieve:hash', h.hash, [['type', name], ['quality', h.quality], ['low_quality', h.lowQuality ? 1 : null]]));
  }
  if (r.width !== undefined) parts.push(`<hashsieve:image${attrs([['width', r.width], ['height', r.height], ['format', r.format]])}/>`);
  for (const m of r.matches) {
    parts.push(
      `<hashsieve:match${attrs([
        ['list', m.list],
        ['entry', m.entry],
        ['category', m.category],
        ['signal', m.signal],
        ['distance', m.distance],
        ['transform', m.transform],
      ])}/>`,
    );
  }
  if (r.skip) parts.push(element('hashsieve:skip', r.skip.message, [['reason', r.skip.reason]]));
  return `<fileobject${attrs([['hashsieve:status', r.status]])}>${parts.join('')}</fileobject>\n`;
}

/** A command line as a POSIX shell would take it back: arguments with other characters single-quoted. */
export function shellLine(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function creator(p: ReportProvenance): string {
  const env = [
    element('os_sysname', p.host.platform),
    element('os_release', p.host.release),
    element('host', p.host.hostname),
    element('arch', p.host.arch),
    element('command_line', shellLine(p.commandLine)),
    element('start_time', p.startedAt),
  ].join('');
  const libs = p.libraries.map((l) => `<library${attrs([['name', l.name], ['version', l.version]])}/>`).join('');
  return `<creator>${element('program', p.program)}${element('version', p.version)}<execution_environment>${env}</execution_environment>${libs}</creator>\n`;
}

function source(p: ReportProvenance, c: CaseInfo | null): string {
  const kase = caseRecord(c) ?? {};
  const a = attrs([
    ['hashsieve:case_number', kase.caseNumber],
    ['hashsieve:examiner', kase.examiner],
    ['hashsieve:evidence_id', kase.evidenceId],
    ['hashsieve:notes', kase.notes],
  ]);
  return `<source${a}>${p.inputs.map((i) => element('image_filename', i)).join('')}</source>\n`;
}

function summaryElement(s: ScanSummary): string {
  const statuses = Object.entries(s.statuses).map(([k, n]) => `<hashsieve:status${attrs([['name', k], ['files', n]])}/>`).join('');
  return `<hashsieve:summary${attrs([
    ['files', s.files],
    ['bytes', s.bytes],
    ['files_matched', s.filesMatched],
    ['matches', s.matches],
    ['elapsed_seconds', s.elapsedSeconds],
    ['interrupted', s.interrupted ? 1 : 0],
  ])}>${statuses}</hashsieve:summary>\n`;
}

/**
 * DFXML (dfxml_schema 2.0.0-beta): `<metadata>`, `<creator>`, `<source>` with the case metadata,
 * one `<fileobject>` per record as it comes (the report is streamed, never held), and our
 * summary at the end.
 */
export function dfxmlFormatter(provenance: ReportProvenance, kase: CaseInfo | null): RecordFormatter {
  return {
    begin: () =>
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<dfxml xmlns="${DFXML_NS}" xmlns:dc="${DC_NS}" xmlns:hashsieve="${HASHSIEVE_NS}" version="${DFXML_VERSION}">\n` +
      `<metadata>${element('dc:type', 'Hash scan')}${element('dc:creator', kase?.examiner ?? provenance.program)}</metadata>\n` +
      creator(provenance) +
      source(provenance, kase),
    record: (r) => fileObject(r),
    end: (summary) => `${summaryElement(summary)}</dfxml>\n`,
  };
}
