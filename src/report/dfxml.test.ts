import { describe, expect, test } from 'vitest';
import { fileName, fileObject, xmlAttr, xmlText } from './dfxml.js';
import type { ScanRecord } from './types.js';

describe('DFXML escaping', () => {
  test('markup, whitespace controls and characters XML 1.0 forbids', () => {
    expect(xmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(xmlText('x\ny\rz\tw')).toBe('x&#10;y&#13;z&#9;w');
    expect(xmlText('nul\u0000 bel\u0007 ff\u000c \ufffe \ud800 ok')).toBe('nul\ufffd bel\ufffd ff\ufffd \ufffd \ufffd ok');
    expect(xmlText('emoji \ud83d\ude00')).toBe('emoji \ud83d\ude00');
    expect(xmlAttr('say "hi" & <go>\n')).toBe('say &quot;hi&quot; &amp; &lt;go&gt;&#10;');
  });

  test('a name XML cannot carry keeps its exact bytes in path_bytes; the walk\'s path_bytes wins', () => {
    expect(fileName({ path: 'plain.png' })).toBe('<filename>plain.png</filename>');
    const ctl = fileName({ path: 'a\u0001b' });
    expect(ctl).toBe(`<filename hashsieve:path_bytes="${Buffer.from('a\u0001b').toString('base64')}">a\ufffdb</filename>`);
    const raw = Buffer.from([0x61, 0xff, 0x62]).toString('base64');
    expect(fileName({ path: 'a\ufffdb', path_bytes: raw })).toBe(`<filename hashsieve:path_bytes="${raw}">a\ufffdb</filename>`);
  });

  test('a skipped file has no size; an error keeps its code; digests before our hashes', () => {
    const skipped: ScanRecord = { path: 'l', size: 5, mtime: null, status: 'skipped', matches: [], hashes: {}, skip: { reason: 'symlink', message: 'A link' } };
    expect(fileObject(skipped)).toBe('<fileobject hashsieve:status="skipped"><filename>l</filename><hashsieve:skip reason="symlink">A link</hashsieve:skip></fileobject>\n');
    const err: ScanRecord = {
      path: 'e',
      size: 3,
      mtime: '2026-01-01T00:00:00.000Z',
      status: 'error',
      matches: [],
      hashes: { pdq: { hash: 'ab' }, sha256: { hash: 'cd' } },
      error: { code: 'DECODE_FAILED', message: 'bad' },
    };
    expect(fileObject(err)).toBe(
      '<fileobject hashsieve:status="error"><filename>e</filename><error hashsieve:code="DECODE_FAILED">bad</error><filesize>3</filesize>' +
        '<mtime>2026-01-01T00:00:00.000Z</mtime><hashdigest type="sha256">cd</hashdigest><hashsieve:hash type="pdq">ab</hashsieve:hash></fileobject>\n',
    );
  });
});

test('the command line is written as a shell would read it back', async () => {
  const { shellLine } = await import('./dfxml.js');
  expect(shellLine(['hashsieve', 'scan', '--notes', "it's a\nnote", 'dir/x.png'])).toBe("hashsieve scan --notes 'it'\\''s a\nnote' dir/x.png");
});
