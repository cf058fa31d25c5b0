import { describe, expect, test } from 'vitest';
import { displayPath, escapeBytes, escapeText, pathFields, unescapePath } from './path-text.js';

const latin1 = Buffer.from('dir/caf\xe9.jpg', 'latin1');
const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x2e, 0x6a, 0x70, 0x67]);
const broken = Buffer.from([0x61, 0xff, 0xc3, 0x28, 0xe2, 0x82, 0x2e, 0x6a, 0x70, 0x67]);

describe('path text', () => {
  test('UTF-8 names are shown as they are, backslashes and inner quotes included', () => {
    for (const s of ['a/b.png', 'café/日本.jpg', 'a\\b.png', 'say "hi".png', ' lead space.png']) {
      expect(escapeText(s)).toBe(s);
      expect(escapeBytes(Buffer.from(s))).toBe(s);
    }
  });
  test('bytes that are not UTF-8 are quoted with one \\xHH per byte', () => {
    expect(escapeBytes(latin1)).toBe('"dir/caf\\xe9.jpg"');
    expect(escapeBytes(sjis)).toBe('"\\x93\\xfa\\x96{.jpg"');
    expect(escapeBytes(broken)).toBe('"a\\xff\\xc3(\\xe2\\x82.jpg"');
  });
  test('control, bidi and line-separator characters are escaped; a leading quote forces quoting', () => {
    expect(escapeText('a\nb\t\x1b]0;x\x07.png')).toBe('"a\\nb\\t\\x1b]0;x\\x07.png"');
    expect(escapeText('evil\u202egnp.exe')).toBe('"evil\\xe2\\x80\\xaegnp.exe"');
    expect(escapeText('x\u0085y')).toBe('"x\\xc2\\x85y"');
    expect(escapeText('"quoted".png')).toBe('"\\"quoted\\".png"');
    expect(escapeText('a\\b\n')).toBe('"a\\\\b\\n"');
  });
  test('every shown form maps back to its bytes', () => {
    const names = [latin1, sjis, broken, Buffer.from('a\nb"\\c\x7f\u202e.png'), Buffer.from('"x"'), Buffer.from('plain.png'), Buffer.from('\\x41')];
    for (const b of names) expect(unescapePath(escapeBytes(b)).equals(b)).toBe(true);
  });
  test('record fields: text where UTF-8, else the shown form beside the bytes in base64', () => {
    expect(pathFields('a/b.png')).toEqual({ path: 'a/b.png' });
    expect(pathFields(latin1)).toEqual({ path: '"dir/caf\\xe9.jpg"', path_bytes: latin1.toString('base64') });
    expect(displayPath(pathFields(latin1))).toBe('"dir/caf\\xe9.jpg"');
    expect(displayPath({ path: 'a\nb' })).toBe('"a\\nb"');
  });
});
