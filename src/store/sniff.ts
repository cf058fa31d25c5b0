import { closeSync, openSync, readSync } from 'node:fs';
import { EXPORT_MAGIC } from './formats/exportfmt.js';
import { SQLITE_MAGIC } from './formats/nsrl.js';
import { HASHDEEP_MAGIC } from './formats/hashdeep.js';
import { isHashRecord } from './formats/ndjson.js';
import { GNU_SUM_LINE, TAGGED_SUM_LINE } from './formats/sums.js';
import type { FormatName, FormatOptions } from './formats/types.js';

const SNIFF_BYTES = 64 * 1024;

function parsesAsHashRecord(line: string): boolean {
  try {
    return isHashRecord(JSON.parse(line));
  } catch {
    return false;
  }
}

/**
 * Guess a list file's format from its first bytes (docs/list-formats.md lists the rules): a first
 * line that is a whole JSON record with a `hashes` object is NDJSON (hashsieve hash/scan), any
 * other `{` is VICS; the hashdeep and export magic lines; a first data line shaped like
 * `HEX  NAME` or `ALGO (NAME) = HEX` is a checksum file; a comma makes CSV; else text.
 */
export function sniffFormat(head: Buffer, options: FormatOptions = {}): FormatName {
  if (head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return 'nsrl';
  let text = head.toString('utf8');
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (text.trimStart().startsWith('{')) {
    const firstLine = lines.find((l) => l.trim() !== '') ?? '';
    return parsesAsHashRecord(firstLine) ? 'ndjson' : 'vics';
  }
  if (lines[0].startsWith(HASHDEEP_MAGIC.slice(0, 13))) return 'hashdeep';
  if (lines[0].startsWith(EXPORT_MAGIC)) return 'export';
  if (options.columns) return 'csv';
  if (/^\d+,\d{1,3},[0-9a-fA-F]{64},[0-9.]+$/.test(lines[0].trim())) return 'vpdq';
  const first = lines.find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first !== undefined && (GNU_SUM_LINE.test(first) || TAGGED_SUM_LINE.test(first))) return 'sums';
  return first !== undefined && first.includes(',') ? 'csv' : 'text';
}

export function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
