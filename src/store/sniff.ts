import { closeSync, openSync, readSync } from 'node:fs';
import { EXPORT_MAGIC } from './formats/exportfmt.js';
import { HASHDEEP_MAGIC } from './formats/hashdeep.js';
import type { FormatName, FormatOptions } from './formats/types.js';

const SNIFF_BYTES = 64 * 1024;

/** Guess a list file's format from its first bytes. */
export function sniffFormat(head: Buffer, options: FormatOptions = {}): FormatName {
  let text = head.toString('utf8');
  if (text.startsWith('\ufeff')) text = text.slice(1);
  if (text.trimStart().startsWith('{')) return 'vics';
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[0].startsWith(HASHDEEP_MAGIC.slice(0, 13))) return 'hashdeep';
  if (lines[0].startsWith(EXPORT_MAGIC)) return 'export';
  if (options.columns) return 'csv';
  if (/^\d+,\d{1,3},[0-9a-fA-F]{64},[0-9.]+$/.test(lines[0].trim())) return 'vpdq';
  const first = lines.find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
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
