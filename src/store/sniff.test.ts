import { describe, expect, it } from 'vitest';
import { sniffFormat } from './sniff.js';

describe('sniffFormat', () => {
  it.each([
    ['\ufeff  {"@odata.context": "x", "value": []}', 'vics'],
    ['%%%% HASHDEEP-1.0\r\n%%%% size,md5,filename\r\n', 'hashdeep'],
    ['#hashsieve-export 1 {}\n', 'export'],
    ['# comment, with a comma\n\nsignal_type,signal_str\n', 'csv'],
    ['# comment, with a comma\npdq abc\n', 'text'],
    ['abc\n', 'text'],
    ['', 'text'],
  ])('%j is %s', (head, format) => {
    expect(sniffFormat(Buffer.from(head))).toBe(format);
  });

  it('takes CSV when columns are mapped', () => {
    expect(sniffFormat(Buffer.from('hash\nabc\n'), { columns: { hash: 'hash' } })).toBe('csv');
  });
});
