/**
 * File names as text for reports, losslessly. A name is bytes; most are UTF-8 and are shown as
 * they are. A name that is not valid UTF-8 (Latin-1, Shift-JIS, damaged), that holds a control or
 * reordering character, or that begins with `"` is shown quoted, in double quotes, with `\\`,
 * `\"`, `\t`, `\n`, `\r` and `\xHH` (one per byte) escapes: the form `git` uses for such names.
 * `unescapePath` maps either form back to the bytes. docs/scan-inputs.md describes it.
 */
import { isUtf8 } from 'node:buffer';

/** Code points escaped even in valid UTF-8: C0/C1 controls, DEL, bidi overrides and isolates, line/paragraph separators. */
function isHostile(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x061c
  );
}

const NEEDS_QUOTING = /^"|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), or 0 when the byte there starts none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

const hex = (n: number): string => `\\x${n.toString(16).padStart(2, '0')}`;
const SHORT: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

function quote(b: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < b.length; ) {
    const n = sequenceLength(b, i);
    if (n === 0) {
      out += hex(b[i]);
      i += 1;
      continue;
    }
    const text = Buffer.from(b.subarray(i, i + n)).toString('utf8');
    const cp = text.codePointAt(0)!;
    if (SHORT[cp] !== undefined) out += SHORT[cp];
    else if (isHostile(cp)) for (let k = 0; k < n; k++) out += hex(b[i + k]);
    else out += text;
    i += n;
  }
  return `${out}"`;
}

/** A name held as text (valid UTF-8), as reports show it. */
export function escapeText(s: string): string {
  return NEEDS_QUOTING.test(s) ? quote(Buffer.from(s, 'utf8')) : s;
}

/** A name held as bytes, as reports show it. */
export function escapeBytes(b: Uint8Array): string {
  return isUtf8(b) ? escapeText(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')) : quote(b);
}

/** The bytes a shown name stands for (the inverse of escapeText and escapeBytes). */
export function unescapePath(shown: string): Buffer {
  if (!(shown.length >= 2 && shown.startsWith('"') && shown.endsWith('"'))) return Buffer.from(shown, 'utf8');
  const body = shown.slice(1, -1);
  const parts: Buffer[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) parts.push(Buffer.from(literal, 'utf8'));
    literal = '';
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      literal += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === 'x') {
      flush();
      parts.push(Buffer.from([parseInt(body.slice(i + 2, i + 4), 16)]));
      i += 3;
    } else {
      literal += next === 't' ? '\t' : next === 'n' ? '\n' : next === 'r' ? '\r' : next;
      i += 1;
    }
  }
  flush();
  return Buffer.concat(parts);
}

/** A record's path fields: the text where the name is UTF-8, else the shown form and the bytes in base64. */
export function pathFields(path: string | Uint8Array): { path: string; path_bytes?: string } {
  if (typeof path === 'string') return { path };
  return { path: escapeBytes(path), path_bytes: Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('base64') };
}

/** How a human-facing output (CSV, text) shows a record's path: quoted and escaped when it has to be. */
export function displayPath(r: { readonly path: string; readonly path_bytes?: string }): string {
  return r.path_bytes !== undefined ? r.path : escapeText(r.path);
}
