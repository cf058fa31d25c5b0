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
    ['{"path":"a.png","size":3,"hashes":{"md5":{"hash":"d41d8cd98f00b204e9800998ecf8427e"}}}\n', 'ndjson'],
    ['{"odata.metadata":"x","value":[{"MD5":"d41d8cd98f00b204e9800998ecf8427e"}]}', 'vics'],
    ['d41d8cd98f00b204e9800998ecf8427e  a.jpg\n', 'sums'],
    ['\\d41d8cd98f00b204e9800998ecf8427e *back\\\\slash.jpg\n', 'sums'],
    ['# made by hand\nSHA256 (a.jpg) = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n', 'sums'],
    ['path,size,width,height,format,pdq\n', 'csv'],
  ])('%j is %s', (head, format) => {
    expect(sniffFormat(Buffer.from(head))).toBe(format);
  });

  it('takes CSV when columns are mapped', () => {
    expect(sniffFormat(Buffer.from('hash\nabc\n'), { columns: { hash: 'hash' } })).toBe('csv');
  });
});
