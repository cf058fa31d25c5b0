import { caseRecord, type CaseInfo } from './case.js';

/** Formats a scan can share its finds in: VICS 2.0 JSON, a python-threatexchange CSV, a hashdeep file. */
export type ShareFormat = 'vics' | 'pytx-csv' | 'hashdeep';
export const SHARE_FORMATS: readonly ShareFormat[] = ['vics', 'pytx-csv', 'hashdeep'];

/** One shared file: its digests and PDQ (hex), never content; its path only when asked for. */
export interface ShareItem {
  readonly size: number | null;
  readonly md5?: string;
  readonly sha1?: string;
  readonly sha256?: string;
  readonly pdq?: string;
  /** Set only when paths are included. */
  readonly path?: string;
}

export interface ShareOptions {
  /** Category as given (VICS: numbers are written as numbers). */
  readonly category: string | null;
  readonly case?: CaseInfo | null;
  readonly commandLine: readonly string[];
}

const VICS_CONTEXT = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media';

/** The id each item is shared under (VICS MediaID; the hashdeep name when paths are left out). */
export function mediaName(index: number): string {
  return `media-${String(index + 1).padStart(6, '0')}`;
}

function vicsCategory(c: string | null): string | number | undefined {
  if (c === null) return undefined;
  return /^\d+$/.test(c) ? Number(c) : c;
}

/** VICS 2.0 (OData v4): MD5 and SHA1 upper-case as VICS writes them, PDQ in AlternativeHashes. */
export function vicsShare(items: readonly ShareItem[], o: ShareOptions): string {
  const kase = caseRecord(o.case);
  const value = items.map((it, i) => {
    const rec: Record<string, unknown> = { MediaID: i + 1 };
    const category = vicsCategory(o.category);
    if (category !== undefined) rec.Category = category;
    if (it.md5) rec.MD5 = it.md5.toUpperCase();
    if (it.sha1) rec.SHA1 = it.sha1.toUpperCase();
    if (it.size !== null) rec.MediaSize = it.size;
    if (it.pdq) rec.AlternativeHashes = [{ HashName: 'PDQ', HashValue: it.pdq }];
    if (it.path !== undefined) rec.MediaFiles = [{ FilePath: it.path }];
    return rec;
  });
  const doc = { '@odata.context': VICS_CONTEXT, ...(kase && { 'hashsieve.case': kase }), value };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

/** One CSV field, RFC 4180 quoted when needed. */
function csv(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * python-threatexchange's CSV (signal_type,signal_str,collab,category,tags): a row per PDQ and
 * per MD5 (named photo_md5, as python-threatexchange calls it). It has no place for a path.
 */
export function pytxShare(items: readonly ShareItem[], o: ShareOptions): string {
  const rows = ['signal_type,signal_str,collab,category,tags'];
  for (const it of items) {
    if (it.pdq) rows.push(['pdq', it.pdq, '', o.category ?? '', ''].map(csv).join(','));
    if (it.md5) rows.push(['photo_md5', it.md5, '', o.category ?? '', ''].map(csv).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** A name hashdeep can hold on one line: line breaks and other controls become '?'. */
function hashdeepName(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** A hashdeep file (size,md5,sha1,sha256,filename); the file name is the media name unless paths are included. */
export function hashdeepShare(items: readonly ShareItem[], o: ShareOptions): string {
  const lines = [
    '%%%% HASHDEEP-1.0',
    '%%%% size,md5,sha1,sha256,filename',
    // The command line is left out: it names the scanned paths.
    `## Invoked from: hashsieve ${o.commandLine[1] ?? ''} (share file)`,
    '##',
  ];
  items.forEach((it, i) => {
    lines.push([it.size ?? 0, it.md5 ?? '', it.sha1 ?? '', it.sha256 ?? '', hashdeepName(it.path ?? mediaName(i))].join(','));
  });
  return `${lines.join('\n')}\n`;
}

export function formatShare(format: ShareFormat, items: readonly ShareItem[], o: ShareOptions): string {
  switch (format) {
    case 'vics':
      return vicsShare(items, o);
    case 'pytx-csv':
      return pytxShare(items, o);
    case 'hashdeep':
      return hashdeepShare(items, o);
  }
}
