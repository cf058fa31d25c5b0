/**
 * Output that cannot attack its reader: a file name, list id or category chosen by whoever wrote
 * it may hold terminal escape sequences (ESC ]0;… retitles, ESC [2J clears) or newlines that
 * split a record. Human-facing text quotes such values as git does (core.quotePath); JSON
 * carries them \u-escaped.
 */

/**
 * C0 controls, DEL, C1 controls (an 8-bit CSI is U+009B), the line and paragraph separators and
 * the bidirectional embeddings, overrides and isolates (which reorder how text is shown).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
/** What JSON.stringify leaves raw but a terminal or a JavaScript reader may act on. */
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const C_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/** Whether a text holds a character that `quoteName` would escape. */
export function hasUnsafeChars(s: string): boolean {
  return UNSAFE.test(s);
}

function octal(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += `\\${b.toString(8).padStart(3, '0')}`;
  return out;
}

function escapeChar(ch: string): string {
  return C_ESCAPES[ch] ?? octal(Buffer.from(ch, 'utf8'));
}

/**
 * A name as a person may see it, quoted only when it needs to be, the way git quotes paths: a
 * name without control characters that does not begin with `"` is itself; any other is written
 * in double quotes with C escapes (\t \n \\ \" and \ooo octal for the UTF-8 bytes of other
 * controls, and for bytes that are not UTF-8 when the name is given as bytes). Reversible.
 */
export function quoteName(name: string | Uint8Array): string {
  if (typeof name !== 'string') {
    const buf = Buffer.from(name.buffer, name.byteOffset, name.byteLength);
    const text = buf.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(buf) && !LONE_SURROGATE.test(text)) return quoteName(text);
    return `"${quoteBytes(buf)}"`;
  }
  if (!UNSAFE.test(name) && !name.startsWith('"') && !LONE_SURROGATE.test(name)) return name;
  let out = '';
  for (const ch of name) out += UNSAFE.test(ch) || ch === '"' || ch === '\\' ? escapeChar(ch) : LONE_SURROGATE.test(ch) ? '\\357\\277\\275' : ch;
  return `"${out}"`;
}

/** Bytes that are not all UTF-8: valid sequences as text (escaped where unsafe), the rest as octal. */
function quoteBytes(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const len = utf8Length(buf, i);
    if (len === 0) {
      out += octal(buf.subarray(i, i + 1));
      i += 1;
      continue;
    }
    const ch = buf.toString('utf8', i, i + len);
    out += UNSAFE.test(ch) || ch === '"' || ch === '\\' ? escapeChar(ch) : ch;
    i += len;
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i`, or 0. */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const [len, lo, hi] =
    c >= 0xc2 && c <= 0xdf
      ? [2, 0x80, 0xbf]
      : c === 0xe0
        ? [3, 0xa0, 0xbf]
        : c === 0xed
          ? [3, 0x80, 0x9f]
          : c >= 0xe1 && c <= 0xef
            ? [3, 0x80, 0xbf]
            : c === 0xf0
              ? [4, 0x90, 0xbf]
              : c >= 0xf1 && c <= 0xf3
                ? [4, 0x80, 0xbf]
                : c === 0xf4
                  ? [4, 0x80, 0x8f]
                  : [0, 0, 0];
  if (len === 0 || i + len > b.length) return 0;
  if (b[i + 1] < lo || b[i + 1] > hi) return 0;
  for (let k = 2; k < len; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return 0;
  return len;
}

/**
 * A message (or other free text) with each unsafe character replaced by its C escape, without
 * quoting: the last guard before text reaches a terminal. Backslashes are left alone, so names
 * already quoted by `quoteName` pass through unchanged.
 */
export function escapeControls(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/** JSON.stringify, with the characters it leaves raw (DEL, C1, U+2028/9, bidi controls) \u-escaped too. */
export function safeJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space);
  return json.replace(JSON_RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
