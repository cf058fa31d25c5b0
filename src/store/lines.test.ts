import { describe, expect, it } from 'vitest';
import { LINE_NOT_UTF8, LINE_TOO_LONG, LineSplitter, MAX_LINE_BYTES } from './lines.js';

function split(chunks: Buffer[]): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  const s = new LineSplitter({
    line: (t, n) => out.push([n, t]),
    badLine: (n, reason) => out.push([n, `!${reason}`]),
  });
  for (const c of chunks) s.feed(c);
  s.end();
  return out;
}

describe('LineSplitter', () => {
  it('numbers lines and strips LF, CRLF and a leading BOM', () => {
    expect(split([Buffer.from('\ufeffa\r\nb\n\nc')])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, ''],
      [4, 'c'],
    ]);
  });

  it('gives the same lines whatever the chunk boundaries (byte by byte, multi-byte characters)', () => {
    const text = 'héllo wörld\r\n日本語\nlast';
    const whole = split([Buffer.from(text)]);
    const bytes = Buffer.from(text);
    const oneByOne = split([...bytes].map((b) => Buffer.from([b])));
    expect(oneByOne).toEqual(whole);
    expect(whole.map(([, t]) => t)).toEqual(['héllo wörld', '日本語', 'last']);
  });

  it('reports a non-UTF-8 line by number without its content and keeps going', () => {
    const data = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xff, 0xfe, 0x0a]), Buffer.from('fine\n')]);
    expect(split([data])).toEqual([
      [1, 'ok'],
      [2, `!${LINE_NOT_UTF8}`],
      [3, 'fine'],
    ]);
  });

  it('reports a 10 MB line as too long without keeping it, in one chunk or many', () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x41);
    const data = Buffer.concat([Buffer.from('a\n'), big, Buffer.from('\nb\n')]);
    const expected = [
      [1, 'a'],
      [2, `!${LINE_TOO_LONG}`],
      [3, 'b'],
    ];
    expect(split([data])).toEqual(expected);
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 65536) chunks.push(data.subarray(i, i + 65536));
    expect(split(chunks)).toEqual(expected);
  });

  it('accepts a line of exactly the maximum length and rejects one byte more', () => {
    const ok = Buffer.alloc(MAX_LINE_BYTES, 0x41);
    const tooLong = Buffer.alloc(MAX_LINE_BYTES + 1, 0x41);
    const out = split([Buffer.concat([ok, Buffer.from('\n'), tooLong])]);
    expect(out[0][1].length).toBe(MAX_LINE_BYTES);
    expect(out[1]).toEqual([2, `!${LINE_TOO_LONG}`]);
  });

  it('yields nothing for an empty input', () => {
    expect(split([])).toEqual([]);
    expect(split([Buffer.alloc(0)])).toEqual([]);
  });
});
