import { describe, expect, test } from 'vitest';
import { createFormatter, csvField } from './formats.js';
import type { ScanRecord } from './types.js';

describe('csvField', () => {
  test('RFC 4180: quotes a field with a comma or quote and doubles its quotes', () => {
    expect(csvField('plain.jpg')).toBe('plain.jpg');
    expect(csvField('a,b.jpg')).toBe('"a,b.jpg"');
    expect(csvField('say "hi".jpg')).toBe('"say ""hi"".jpg"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
  });

  test('control characters never reach the file raw: the value is C-quoted (reversible), then CSV-quoted', () => {
    expect(csvField('two\nlines.jpg')).toBe(String.raw`"""two\nlines.jpg"""`);
    expect(csvField('x\u001b]0;t\u0007\u001b[2J.png')).toBe(String.raw`"""x\x1b]0;t\x07\x1b[2J.png"""`);
    expect(csvField('c1\u009b.png')).toBe(String.raw`"""c1\xc2\x9b.png"""`);
    // A leading quote alone is no control character: plain RFC 4180 quoting.
    expect(csvField('"quoted".png')).toBe('"""quoted"".png"');
  });

  test('text a spreadsheet would run as a formula is prefixed with an apostrophe', () => {
    expect(csvField('=HYPERLINK("http://x","y").jpg')).toBe(`"'=HYPERLINK(""http://x"",""y"").jpg"`);
    expect(csvField('+1.jpg')).toBe("'+1.jpg");
    expect(csvField('-2.jpg')).toBe("'-2.jpg");
    expect(csvField('@SUM(A1).jpg')).toBe("'@SUM(A1).jpg");
    // A leading tab or CR is a control character: C-quoted, so the cell starts with a quote, not a formula.
    expect(csvField('\tx.jpg')).toBe(String.raw`"""\tx.jpg"""`);
    expect(csvField('\rx.jpg')).toBe(String.raw`"""\rx.jpg"""`);
    // Only at the start, and never for numbers.
    expect(csvField('a=b.jpg')).toBe('a=b.jpg');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(0)).toBe('0');
  });
});

test('the scan CSV guards every text column, the NDJSON record keeps the value', () => {
  const record = {
    path: '=cmd.png',
    size: 3,
    mtime: '2026-01-01T00:00:00.000Z',
    status: 'match',
    digests: {},
    hashes: {},
    matches: [{ list: 'l', entry: '@e', category: '+c', signal: 'md5', distance: 0, transform: null }],
  } as unknown as ScanRecord;
  const csv = createFormatter('csv', { signals: [], qualitySignals: [] });
  const row = csv.record(record, 0).trim().split(',');
  expect(row.slice(0, 4)).toEqual(["'=cmd.png", '3', '2026-01-01T00:00:00.000Z', 'match']);
  expect(row.slice(4, 10)).toEqual(['l', "'@e", "'+c", 'md5', '0', '']);
  const ndjson = createFormatter('ndjson', { signals: [], qualitySignals: [] });
  expect(JSON.parse(ndjson.record(record, 0))).toMatchObject({ path: '=cmd.png', matches: [{ entry: '@e', category: '+c' }] });
});
