/**
 * A path as the file system has it: text when its bytes are valid UTF-8 (almost always), else
 * the bytes themselves, so a Latin-1, Shift-JIS or damaged name can still be stat'ed and opened.
 * Node's fs functions take either.
 */
import { isUtf8 } from 'node:buffer';
import { escapeBytes, escapeText } from '../report/path-text.js';

export type FsPath = string | Buffer;

/** Text when the bytes are UTF-8, else a Buffer (a structured clone to a worker turns it into a Uint8Array: pass it back here). */
export function fromBytes(bytes: Uint8Array): FsPath {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(b) ? b.toString('utf8') : b;
}

/** Whatever arrives as a path (string, Buffer, or a Buffer cloned into a Uint8Array) as an FsPath. */
export function asFsPath(p: string | Uint8Array): FsPath {
  return typeof p === 'string' ? p : fromBytes(p);
}

/** `dir` + `/` + `name` (just `name` in `.`, as path.join), staying text while both are. */
export function joinName(dir: FsPath, name: Uint8Array): FsPath {
  if (dir === '.') return fromBytes(Buffer.from(name));
  const sep = (typeof dir === 'string' ? dir.endsWith('/') : dir[dir.length - 1] === 0x2f) ? '' : '/';
  if (typeof dir === 'string' && isUtf8(name)) return `${dir}${sep}${Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('utf8')}`;
  return Buffer.concat([typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir, Buffer.from(sep), name]);
}

/**
 * One string per path, distinct for distinct bytes (resume and duplicate checks key on it): the
 * text itself, or NUL (never in a path) and the bytes in base64.
 */
export function pathKey(p: FsPath): string {
  return typeof p === 'string' ? p : `\0${p.toString('base64')}`;
}

/** The key of a report record's path (the inverse view of pathKey: `path_bytes` when the name is not UTF-8). */
export function recordKey(r: { readonly path: string; readonly path_bytes?: string }): string {
  return r.path_bytes !== undefined ? `\0${r.path_bytes}` : r.path;
}

/** The path for people: text, or the quoted escaped form of its bytes. */
export function showPath(p: FsPath): string {
  return typeof p === 'string' ? escapeText(p) : escapeBytes(p);
}

/** The last component, as text for glob matching (bytes that are not UTF-8 read as U+FFFD). */
export function nameText(name: Uint8Array): string {
  return Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('utf8');
}
