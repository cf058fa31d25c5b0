/**
 * Output that cannot attack its reader: a file name, list id or category chosen by whoever wrote
 * it may hold terminal escape sequences (ESC ]0;… retitles, ESC [2J clears) or newlines that
 * split a record. Human-facing text quotes such values as git does, in path-text.ts's one form
 * (`"…\x1b…"`, reversible with unescapePath); JSON carries them \u-escaped.
 */
import { escapeBytes, escapeText } from './path-text.js';

/**
 * C0 controls, DEL, C1 controls (an 8-bit CSI is U+009B), the line and paragraph separators and
 * the bidirectional marks, embeddings, overrides and isolates (which reorder how text is shown):
 * the characters path-text.ts escapes.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
/** What JSON.stringify leaves raw but a terminal or a JavaScript reader may act on. */
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Whether a text holds a character that quoteName would escape. */
export function hasUnsafeChars(s: string): boolean {
  return UNSAFE.test(s);
}

/**
 * A name as a person may see it, quoted only when it needs to be: itself when it is UTF-8 without
 * control or reordering characters and does not begin with `"`; otherwise in double quotes with
 * `\t \n \r \\ \"` and `\xHH` escapes (the form of path-text.ts, which maps back).
 */
export function quoteName(name: string | Uint8Array): string {
  return typeof name === 'string' ? escapeText(name) : escapeBytes(name);
}

function escapeChar(ch: string): string {
  return SHORT[ch] ?? [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * A message (or other free text) with each unsafe character replaced by its escape, without
 * quoting: the last guard before text reaches a terminal. Backslashes are left alone, so names
 * already quoted by quoteName pass through unchanged.
 */
export function escapeControls(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/** JSON.stringify, with the characters it leaves raw (DEL, C1, U+2028/9, bidi controls) \u-escaped too. */
export function safeJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space);
  return json.replace(JSON_RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
