import { describe, expect, it } from 'vitest';
import { escapeControls, hasUnsafeChars, quoteName, safeJson } from './escape.js';

/** Undo quoteName, as git's unquoting does: the test that the form maps back. */
function unquote(q: string): Buffer {
  if (!q.startsWith('"')) return Buffer.from(q, 'utf8');
  const body = q.slice(1, -1);
  const out: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      out.push(...Buffer.from(body[i], 'utf8'));
      continue;
    }
    const next = body[++i];
    if (next in simple) out.push(simple[next]);
    else {
      out.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    }
  }
  return Buffer.from(out);
}

const ATTACK = 'x\u001b]0;pwned\u0007\u001b[2J.png';

describe('quoteName', () => {
  it('leaves ordinary names alone, backslashes and non-ASCII included', () => {
    for (const n of ['a.png', 'dir/sub dir/café.jpg', 'C:\\x\\y.png', '日本語.png', 'it"s.png']) expect(quoteName(n)).toBe(n);
  });

  it('quotes names with terminal escapes, newlines, C1 controls and bidi overrides', () => {
    expect(quoteName(ATTACK)).toBe('"x\\033]0;pwned\\a\\033[2J.png"');
    expect(quoteName('a\nb')).toBe('"a\\nb"');
    expect(quoteName('a\tb')).toBe('"a\\tb"');
    expect(quoteName('csi\u009b2J')).toBe('"csi\\302\\2332J"');
    expect(quoteName('evil\u202egnp.exe')).toBe('"evil\\342\\200\\256gnp.exe"');
    expect(quoteName('del\u007f')).toBe('"del\\177"');
  });

  it('quotes a name beginning with a quote, so every quoted form maps back unambiguously', () => {
    expect(quoteName('"a"')).toBe('"\\"a\\""');
  });

  it('never leaves a control character in its output, and maps back', () => {
    for (const n of [ATTACK, 'a\nb', '"q\\\u0000', 'tab\there', 'c1\u0085x', 'sep\u2028x']) {
      const q = quoteName(n);
      expect(hasUnsafeChars(q)).toBe(false);
      expect(unquote(q).toString('utf8')).toBe(n);
    }
  });

  it('takes bytes that are not UTF-8 (Latin-1, Shift-JIS) and writes the invalid ones in octal', () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]);
    expect(quoteName(latin1)).toBe('"caf\\351.jpg"');
    expect(unquote(quoteName(latin1)).equals(latin1)).toBe(true);
    const sjis = Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x1b, 0x2e, 0x70, 0x6e, 0x67]);
    expect(unquote(quoteName(sjis)).equals(sjis)).toBe(true);
    expect(quoteName(Buffer.from('café.jpg'))).toBe('café.jpg');
  });
});

describe('escapeControls', () => {
  it('escapes control characters in free text and leaves backslashes and quoted names alone', () => {
    expect(escapeControls(`Cannot read ${ATTACK}`)).toBe('Cannot read x\\033]0;pwned\\a\\033[2J.png');
    expect(escapeControls(`Cannot read ${quoteName(ATTACK)}`)).toBe(`Cannot read ${quoteName(ATTACK)}`);
    expect(escapeControls('plain \\ text')).toBe('plain \\ text');
  });
});

describe('safeJson', () => {
  it('is JSON that parses to the same value, with no raw control, C1 or separator character', () => {
    const value = { path: ATTACK, c1: 'a\u009bb', sep: 'x\u2028y', bidi: 'l\u202er', n: 1 };
    const json = safeJson(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(hasUnsafeChars(json)).toBe(false);
    expect(json).toContain('\\u009b');
    expect(JSON.parse(safeJson(value, 2))).toEqual(value);
  });
});
