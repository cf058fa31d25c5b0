import { describe, expect, it } from 'vitest';
import { escapeControls, hasUnsafeChars, quoteName, safeJson } from './escape.js';
import { unescapePath } from './path-text.js';

const ATTACK = 'x\u001b]0;pwned\u0007\u001b[2J.png';

describe('quoteName', () => {
  it('leaves ordinary names alone, backslashes and non-ASCII included', () => {
    for (const n of ['a.png', 'dir/sub dir/café.jpg', 'C:\\x\\y.png', '日本語.png', 'it"s.png']) expect(quoteName(n)).toBe(n);
  });

  it('quotes names with terminal escapes, newlines, C1 controls and bidi overrides', () => {
    expect(quoteName(ATTACK)).toBe(String.raw`"x\x1b]0;pwned\x07\x1b[2J.png"`);
    expect(quoteName('a\nb')).toBe(String.raw`"a\nb"`);
    expect(quoteName('a\tb')).toBe(String.raw`"a\tb"`);
    expect(quoteName('csi\u009b2J')).toBe(String.raw`"csi\xc2\x9b2J"`);
    expect(quoteName('evil\u202egnp.exe')).toBe(String.raw`"evil\xe2\x80\xaegnp.exe"`);
    expect(quoteName('del\u007f')).toBe(String.raw`"del\x7f"`);
  });

  it('quotes a name beginning with a quote, so every quoted form maps back unambiguously', () => {
    expect(quoteName('"a"')).toBe(String.raw`"\"a\""`);
  });

  it('never leaves a control character in its output, and maps back', () => {
    for (const n of [ATTACK, 'a\nb', '"q\\\u0000', 'tab\there', 'c1\u0085x', 'sep\u2028x']) {
      const q = quoteName(n);
      expect(hasUnsafeChars(q)).toBe(false);
      expect(unescapePath(q).toString('utf8')).toBe(n);
    }
  });

  it('takes bytes that are not UTF-8 (Latin-1, Shift-JIS) and writes the invalid ones as \\xHH', () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]);
    expect(quoteName(latin1)).toBe(String.raw`"caf\xe9.jpg"`);
    expect(unescapePath(quoteName(latin1)).equals(latin1)).toBe(true);
    const sjis = Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x1b, 0x2e, 0x70, 0x6e, 0x67]);
    expect(unescapePath(quoteName(sjis)).equals(sjis)).toBe(true);
    expect(quoteName(Buffer.from('café.jpg'))).toBe('café.jpg');
  });
});

describe('escapeControls', () => {
  it('escapes control characters in free text and leaves backslashes and quoted names alone', () => {
    expect(escapeControls(`Cannot read ${ATTACK}`)).toBe(String.raw`Cannot read x\x1b]0;pwned\x07\x1b[2J.png`);
    expect(escapeControls(`Cannot read ${quoteName(ATTACK)}`)).toBe(`Cannot read ${quoteName(ATTACK)}`);
    expect(escapeControls('plain \\ text')).toBe('plain \\ text');
    expect(hasUnsafeChars(escapeControls(`a\u009bb\u202ec\nd`))).toBe(false);
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
