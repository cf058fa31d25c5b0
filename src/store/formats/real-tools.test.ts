/**
 * Lists as the real tools write them: hashdeep 4.4 (captured output in test/fixtures/lists),
 * GNU coreutils md5sum/sha1sum/sha256sum (run here), python-threatexchange's `dataset --csv`
 * (written by the same csv.DictWriter call it makes). See docs/list-formats.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { importList, type ImportOptions, type ImportSummary } from '../import.js';
import { DEGENERATE_NOTE } from '../sink.js';
import { openStore, type Store } from '../store.js';
import { tempDir, writeFile } from '../../../test/support/store.js';
import { NEGATIVE_CLASS_NOTE } from './csv.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/lists/', import.meta.url));
const dir = tempDir('hashsieve-realtools-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
let store: Store;
beforeEach(() => {
  store?.close();
  store = openStore(join(dir, `db${++n}`, 'lists.db'));
});

const imp = (path: string, opts: Partial<ImportOptions> = {}): Promise<ImportSummary> => importList(store, path, { name: 'L', ...opts });
const fixture = (name: string) => join(FIXTURES, name);

/** Every stored entry as "signal id category tags", sorted. */
function entries(): string[] {
  const ids = store.db.prepare('SELECT id FROM entries').pluck().all() as number[];
  return [...store.entries(ids).values()].map((e) => [e.signal, e.externalId, e.category, e.tags.join(' ')].join('|')).sort();
}

describe('hashdeep 4.4', () => {
  it('two runs appended to one file (-c md5,sha1,sha256, then the default md5,sha256): both banners, every hash', async () => {
    const s = await imp(fixture('hashdeep-4.4-two-runs.txt'));
    expect(s.format).toBe('hashdeep');
    // 3 files × (md5, sha1, sha256) + 3 files × (md5, sha256), the second run's identical entries kept once.
    expect(s.imported).toEqual({ md5: 3, sha1: 3, sha256: 3 });
    expect(s.duplicates).toBe(6);
    expect(entries().filter((e) => e.startsWith('md5|'))).toEqual([
      'md5|"/tmp/lists-hd/data/c \\x1b[2J.png"||',
      'md5|/tmp/lists-hd/data/a.jpg||',
      'md5|/tmp/lists-hd/data/sub/b, with comma.jpg||',
    ]);
  });

  it('a tiger column is counted, not imported; CRLF and a Windows prompt line are read', async () => {
    for (const f of ['hashdeep-4.4-md5-tiger.txt', 'hashdeep-4.4-crlf.txt']) {
      const s = await imp(fixture(f), { name: f });
      expect(s.imported).toEqual({ md5: 1 });
      expect(s.notes).toEqual({ 'hashdeep column not imported: tiger': 1 });
    }
  });
});

describe('GNU coreutils checksum files', () => {
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  const files = { 'a.jpg': 'one', 'back\\slash.jpg': 'x', 'new\nline.jpg': 'y', 'esc\u001b[2J.png': 'z', 'plain name.png': 'w' };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(data, name), content);
  const sum = (tool: string, args: string[] = []) =>
    execFileSync(tool, [...args, ...Object.keys(files).sort()], { cwd: data, encoding: 'utf8' });

  it.each([
    ['md5sum', 'md5'],
    ['sha1sum', 'sha1'],
    ['sha256sum', 'sha256'],
  ])('%s output: every line, the signal from the digest length, names as ids', async (tool, signal) => {
    const s = await imp(writeFile(dir, `${n}-${tool}.txt`, sum(tool)));
    expect(s.format).toBe('sums');
    expect(s.imported).toEqual({ [signal]: 5 });
    expect(entries()).toEqual(
      [
        'a.jpg',
        // Escaped by the tool itself (a line starting with \): kept as the tool wrote it.
        'back\\\\slash.jpg',
        '"esc\\x1b[2J.png"',
        'new\\nline.jpg',
        'plain name.png',
      ]
        .map((id) => `${signal}|${id}||`)
        .sort(),
    );
  });

  it('--tag (BSD) lines and binary-mode (*) lines; other digest lengths are counted', async () => {
    const text = sum('sha256sum', ['--tag']) + sum('md5sum', ['--binary']) + sum('sha512sum');
    const s = await imp(writeFile(dir, `${n}-mixed.txt`, text));
    expect(s.format).toBe('sums');
    expect(s.imported).toEqual({ md5: 5, sha256: 5 });
    expect(s.notes).toEqual({ '512-bit digests not imported (no such signal here)': 5 });
  });
});

describe('python-threatexchange dataset --csv', () => {
  it('imports its image rows, counts the other signal types, keeps opinion categories and collab tags', async () => {
    const s = await imp(fixture('pytx-dataset.csv'));
    expect(s.format).toBe('csv');
    // video_md5 (and photo_md5) is an MD5 of the file's bytes: imported as md5.
    expect(s.imported).toEqual({ md5: 1, pdq: 3 });
    expect(s.notes).toEqual({
      'python-threatexchange signal types not imported: url': 1,
      'python-threatexchange signal types not imported: raw_text': 1,
      [NEGATIVE_CLASS_NOTE]: 1,
      [DEGENERATE_NOTE]: 1,
    });
    expect(entries()).toEqual([
      'md5||POSITIVE_CLASS|collab:Other, Inc. "collab" t1',
      'pdq||INVESTIGATION_SEED|collab:Sample Data other tag,with,commas',
      'pdq||NEGATIVE_CLASS|collab:Sample Data',
      'pdq||POSITIVE_CLASS|collab:Sample Data media_type_photo sample',
    ]);
  });

  it('extra columns, in another order, are ignored', async () => {
    const text = readFileSync(fixture('pytx-dataset.csv'), 'utf8')
      .split('\r\n')
      .slice(0, 2)
      .map((l, i) => (i === 0 ? `first_seen,${l},owner` : `2024-01-01,${l},"me, myself"`))
      .join('\r\n');
    const s = await imp(writeFile(dir, `${n}-extra.csv`, text));
    expect(s.imported).toEqual({ pdq: 1 });
  });
});

describe('hashsieve hash output', () => {
  const pdqHex = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';

  it('NDJSON: every signal a record carries, the path as id; low-quality hashes and error rows counted', async () => {
    const lines = [
      { path: 'a.png', size: 3, hashes: { pdq: { hash: pdqHex, quality: 100 }, md5: { hash: md5 } }, width: 9, height: 9, format: 'png' },
      { path: 'flat.png', size: 3, hashes: { pdq: { hash: '0'.repeat(64), quality: 0, lowQuality: true }, md5: { hash: md5.replace('d4', 'e4') } } },
      { path: 'bad.jpg', size: 0, hashes: {}, error: { code: 'EMPTY_FILE', message: 'empty' } },
      { path: 'new\nline.png', size: 1, hashes: { sha256: { hash: 'a'.repeat(64) }, tmk: { hash: 'x' } } },
    ];
    const s = await imp(writeFile(dir, `${n}-h.ndjson`, lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
    expect(s.format).toBe('ndjson');
    expect(s.imported).toEqual({ md5: 2, pdq: 1, sha256: 1 });
    expect(s.notes).toEqual({
      'low-quality perceptual hashes not imported (flagged lowQuality by hashsieve)': 1,
      'records without any importable hash (error rows)': 1,
      'hash signals not imported: tmk': 1,
    });
    expect(entries()).toContain('sha256|"new\\nline.png"||');
    expect(entries()).toContain('pdq|a.png||');
  });

  it('names hashsieve already showed quoted (not UTF-8, or with controls) are kept as shown, not quoted twice', async () => {
    const ndjson = JSON.stringify({ path: String.raw`"caf\xe9.jpg"`, path_bytes: 'Y2Fm6S5qcGc=', hashes: { md5: { hash: md5 } } });
    await imp(writeFile(dir, `${n}-b.ndjson`, `${ndjson}\n`));
    const csv = `path,md5\n${String.raw`"""x\x1b[2J.png"""`},${md5}\n`;
    await imp(writeFile(dir, `${n}-b.csv`, csv), { name: 'M' });
    expect(entries()).toEqual([String.raw`md5|"caf\xe9.jpg"||`, String.raw`md5|"x\x1b[2J.png"||`]);
  });

  it('NDJSON with another field as id (columns.id)', async () => {
    const line = JSON.stringify({ path: 'a.png', ref: 'CASE-7', hashes: { md5: { hash: md5 } } });
    await imp(writeFile(dir, `${n}-id.ndjson`, `${line}\n`), { columns: { id: 'ref' } });
    expect(entries()).toEqual(['md5|CASE-7||']);
  });

  it('CSV (one column per signal): every signal column, the path as id, low-quality cells counted', async () => {
    const text = [
      'path,size,width,height,format,pdq,pdq_quality,pdq_low_quality,md5,error_code,error_message',
      `a.png,3,9,9,png,${pdqHex},100,false,${md5},,`,
      `flat.png,3,9,9,png,${'0'.repeat(64)},0,true,${md5.replace('d4', 'e4')},,`,
      'bad.jpg,0,,,,,,,,EMPTY_FILE,empty',
    ].join('\n');
    const s = await imp(writeFile(dir, `${n}-h.csv`, text));
    expect(s.format).toBe('csv');
    expect(s.imported).toEqual({ md5: 2, pdq: 1 });
    expect(s.notes).toEqual({ 'low-quality perceptual hashes not imported (flagged lowQuality by hashsieve)': 1 });
    const byId = await imp(writeFile(dir, `${n}-h2.csv`, text), { name: 'M', columns: { id: 'format' } });
    expect(byId.imported).toEqual({ md5: 2, pdq: 1 });
  });

  it('a degenerate perceptual hash (all 0 or all 1 bits) is imported and counted for a warning', async () => {
    const s = await imp(writeFile(dir, `${n}-d.txt`, `pdq ${'0'.repeat(64)}\npdq ${'f'.repeat(64)}\npdq ${pdqHex}\nmd5 ${'0'.repeat(32)}\n`));
    expect(s.imported).toEqual({ md5: 1, pdq: 3 });
    expect(s.notes).toEqual({ [DEGENERATE_NOTE]: 2 });
  });
});

describe('list names', () => {
  it('a name with a comma is refused (lists are selected by comma-separated names)', async () => {
    const p = writeFile(dir, `${n}-c.txt`, 'md5 d41d8cd98f00b204e9800998ecf8427e\n');
    await expect(imp(p, { name: 'a,b' })).rejects.toThrow(UsageError);
    await expect(imp(p, { name: 'a,b' })).rejects.toThrow(/without commas/);
  });
});
