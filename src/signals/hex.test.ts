import { describe, expect, it } from 'vitest';
import { HashFormatError } from '../errors.js';
import { formatHex, parseHex } from './hex.js';

describe('parseHex', () => {
  it('reads upper and lower case digits into bytes', () => {
    expect([...parseHex('00ff10Aa', 32, 'x')]).toEqual([0, 255, 16, 170]);
    const hex = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex');
    expect(formatHex(parseHex(hex, 2048, 'x'))).toBe(hex);
    expect(formatHex(parseHex(hex.toUpperCase(), 2048, 'x'))).toBe(hex);
  });

  it.each(['0g', 'g0', ' 0', '0é', 'é0', '\u01300', '0\uff10', '-1', '0x'])('refuses %j without echoing it', (bad) => {
    expect(() => parseHex(bad, 8, 'test')).toThrow(HashFormatError);
    expect(() => parseHex(bad, 8, 'test')).toThrow('Expected only hex digits 0-9a-f in a test hash');
  });

  it('refuses the wrong length before looking at the digits', () => {
    expect(() => parseHex('abc', 8, 'test')).toThrow('Expected 2 hex characters for a test hash but received 3');
  });
});
