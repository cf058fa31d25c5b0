import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { importList, type ImportOptions } from '../import.js';
import { openStore, type Store } from '../store.js';
import { dumpStore, fakeHex, tempDir, writeFile } from '../../../test/support/store.js';
import type { EntrySink } from './types.js';
import { vicsFormat } from './vics.js';

const dir = tempDir('hashsieve-vics-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
let store: Store;
beforeEach(() => {
  store?.close();
  store = openStore(join(dir, `db${++n}`, 'lists.db'));
});

const MD5 = (i: number | string) => fakeHex(128, `md5${i}`).toUpperCase();
const SHA1 = (i: number | string) => fakeHex(160, `sha1${i}`).toUpperCase();
const imp = (name: string, text: string, opts: Partial<ImportOptions> = {}) =>
  importList(store, writeFile(dir, `${n}-${name}`, text), { name: 'L', ...opts });

async function rejects(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}

/** Every stored entry as [signal, external id, category, tags], sorted. */
function entries(): Array<[string, string | null, string | null, string]> {
  const ids = store.db.prepare('SELECT id FROM entries').pluck().all() as number[];
  return [...store.entries(ids).values()].map((e): [string, string | null, string | null, string] => [e.signal, e.externalId, e.category, e.tags.join(' ')]).sort();
}

/** A VICS 1.3 (Cases) export as the OData v3 service writes it: CaseID first, then Media[]. */
function cases13(cases: Array<{ id: string; media: unknown[] }>): string {
  return JSON.stringify(
    {
      'odata.metadata': 'http://example.invalid/ProjectVic/DataModels/1.3.xml/$metadata#Cases',
      value: cases.map((c) => ({ CaseID: c.id, CaseNumber: `N-${c.id}`, SourceApplicationName: 'test', Media: c.media })),
    },
    null,
    2,
  );
}

const media = (id: number, extra: Record<string, unknown> = {}) => ({
  MediaID: id,
  Category: id % 3,
  MD5: MD5(id),
  SHA1: '',
  MediaSize: 1000 + id,
  MediaFiles: [{ FileName: `f${id}.jpg`, FilePath: `/DCIM/f${id}.jpg` }],
  ...extra,
});

describe('VICS Cases: value[].Media[]', () => {
  it('1.3 (odata.metadata, #Cases): every Media of every Case, the case id in the tags, exact counts', async () => {
    const text = cases13([
      { id: 'C-1', media: [media(1, { SHA1: SHA1(1) }), media(2), media(3, { MD5: null, PhotoDNA: 'AAAA' })] },
      { id: 'C-2', media: [media(4), media(5, { SHA1: SHA1(5) })] },
      { id: 'C-3', media: [] },
    ]);
    const s = await imp('cases13.json', text);
    expect(s.format).toBe('vics');
    expect(s.imported).toEqual({ md5: 4, sha1: 2 });
    expect(s.photoDna).toBe(1);
    expect(s.notes).toEqual({});
    expect(entries()).toEqual([
      ['md5', '1', '1', 'case:C-1'],
      ['md5', '2', '2', 'case:C-1'],
      ['md5', '4', '1', 'case:C-2'],
      ['md5', '5', '2', 'case:C-2'],
      ['sha1', '1', '1', 'case:C-1'],
      ['sha1', '5', '2', 'case:C-2'],
    ]);
  });

  it('2.0 (@odata.context, #Cases), Media key in another case, CaseID after the Media array', async () => {
    const text = JSON.stringify({
      '@odata.context': 'http://example.invalid/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases',
      value: [
        { CaseID: 'reg-1', media: [media(1), media(2)] },
        { Media: [media(3)], CaseID: 'late-2' },
        { CaseNumber: 'no-id', Media: [media(4)] },
      ],
    });
    const s = await imp('cases20.json', text);
    expect(s.imported).toEqual({ md5: 4 });
    expect(entries()).toEqual([
      ['md5', '1', '1', 'case:reg-1'],
      ['md5', '2', '2', 'case:reg-1'],
      ['md5', '3', '0', 'case:late-2'],
      ['md5', '4', '1', ''],
    ]);
  });

  it('mixed: Media records and Cases side by side in value[]', async () => {
    const text = JSON.stringify({
      'odata.metadata': 'http://example.invalid/$metadata#Media',
      value: [media(1), { CaseID: 'K', Media: [media(2), media(3)] }, media(4), { MediaID: 9, Category: 1 }],
    });
    const s = await imp('mixed.json', text);
    expect(s.imported).toEqual({ md5: 4 });
    expect(s.notes).toEqual({ 'VICS records without any importable hash': 1 });
    expect(entries().map((e) => [e[1], e[3]])).toEqual([
      ['1', ''],
      ['2', 'case:K'],
      ['3', 'case:K'],
      ['4', ''],
    ]);
  });

  it('truncated inside a case: refused with the record it stopped in, nothing written', async () => {
    const full = cases13([
      { id: 'C-1', media: [media(1), media(2)] },
      { id: 'C-2', media: [media(3), media(4), media(5)] },
    ]);
    const cut = full.slice(0, full.indexOf(MD5(4)) + 10);
    const before = dumpStore(store);
    const msg = await rejects(imp('cut.json', cut));
    expect(msg).toMatch(/cut\.json: record 4: JSON ends in the middle of a record at byte \d+ \(truncated file\?\); nothing imported$/);
    expect(msg).not.toContain(MD5(4).slice(0, 8));
    expect(dumpStore(store)).toBe(before);
  });

  it('a bad hash inside a case is refused by its record number, or skipped and counted', async () => {
    const text = cases13([{ id: 'C', media: [media(1), media(2, { MD5: 'abc' }), media(3)] }]);
    expect(await rejects(imp('bad.json', text))).toMatch(/bad\.json: record 2: Expected 32 hex characters/);
    const s = await imp('bad2.json', text, { skipInvalid: true });
    expect(s.imported).toEqual({ md5: 2 });
  });
});

describe('VICS streaming', () => {
  it.each([
    ['value[].Media[] of one big Case', '{"odata.metadata":"x#Cases","value":[{"CaseID":"big","Media":[', ']}]}'],
    ['value[] of Media', '{"@odata.context":"x#Media","value":[', ']}'],
  ])('keeps no Media record once delivered (%s): memory does not grow with the export', (_shape, head, tail) => {
    let delivered = 0;
    const sink: EntrySink = { entry: () => void delivered++, problem: (p, r) => expect.fail(`${p}: ${r}`), note: () => {} };
    const parser = vicsFormat(sink);
    const feed = (s: string) => parser.feed(Buffer.from(s));
    feed(head);
    const count = 100_000;
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) feed(`${i ? ',' : ''}${JSON.stringify(media(i, { Notes: 'n'.repeat(600) }))}`);
    const grown = process.memoryUsage().heapUsed - before;
    feed(tail);
    parser.end();
    expect(delivered).toBe(count);
    // 100,000 records of ~800 bytes would hold over 80 MB if kept; delivered ones are garbage for the next scavenge.
    expect(grown).toBeLessThan(40 * 1024 * 1024);
  });
});
