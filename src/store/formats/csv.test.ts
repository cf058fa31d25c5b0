import { describe, expect, it } from 'vitest';
import { CsvReader, splitTags } from './csv.js';

function read(lines: string[]): unknown[] {
  const r = new CsvReader();
  const out: unknown[] = [];
  lines.forEach((l, i) => {
    const rec = r.push(l, i + 1);
    if (rec) out.push(rec);
  });
  const end = r.end();
  if (end) out.push(end);
  return out;
}

describe('CsvReader', () => {
  it('splits plain and quoted fields, with doubled quotes and commas inside quotes', () => {
    expect(read(['a,b,c', '"x,1","say ""hi""",'])).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['x,1', 'say "hi"', ''], line: 2 },
    ]);
  });

  it('joins a quoted field across lines and reports the line the record starts on', () => {
    expect(read(['h1,h2', '"multi', 'line",z', 'q,r'])).toEqual([
      { fields: ['h1', 'h2'], line: 1 },
      { fields: ['multi\nline', 'z'], line: 2 },
      { fields: ['q', 'r'], line: 4 },
    ]);
  });

  it('reports an unclosed quote at the end and junk after a closing quote', () => {
    expect(read(['"open,never'])).toEqual([{ error: 'quoted field never closed', line: 1 }]);
    expect(read(['"a"b,c'])).toEqual([{ error: 'unexpected character after a closing quote', line: 1 }]);
  });

  it('splits tags on spaces, commas and semicolons', () => {
    expect(splitTags('a b,c;;d')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitTags('')).toEqual([]);
  });
});
