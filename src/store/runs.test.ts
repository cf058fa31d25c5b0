import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { compareText, sortedOrder, SortedRows, type Meta } from './runs.js';
import { tempDir } from '../../test/support/store.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sign = (x: number): number => Math.sign(x);

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16;
}

interface Row {
  hash: Buffer;
  meta: Meta;
}

/** The identity order and dedupe spelled out with Buffer.compare. */
function reference(rows: Row[]): string[] {
  const key = (r: Row): string =>
    JSON.stringify([r.hash.toString('hex'), ...(r.meta ?? ['', '', '']).map((f) => Buffer.from(f).toString('hex'))]);
  const distinct = new Map(rows.map((r) => [key(r), r]));
  return [...distinct.values()]
    .sort((x, y) => {
      const c = Buffer.compare(x.hash, y.hash);
      if (c !== 0) return c;
      const a = x.meta ?? ['', '', ''];
      const b = y.meta ?? ['', '', ''];
      for (let i = 0; i < 3; i++) {
        const d = utf8Order(a[i], b[i]);
        if (d !== 0) return d;
      }
      return 0;
    })
    .map(key);
}

function collect(rows: Row[], budget: number, db: Database.Database): { keys: string[]; duplicates: number } {
  const sorted = new SortedRows(db, budget);
  for (const r of rows) sorted.add('pdq', r.hash, r.meta);
  const keys: string[] = [];
  const duplicates = sorted.forEachDistinct('pdq', (c) => {
    const hash = Buffer.from(c.page.hashes.subarray(c.at * c.width, (c.at + 1) * c.width));
    keys.push(JSON.stringify([hash.toString('hex'), ...(c.meta() ?? ['', '', '']).map((f) => Buffer.from(f).toString('hex'))]));
  });
  sorted.dispose();
  return { keys, duplicates };
}

describe('compareText', () => {
  it('orders by UTF-8 bytes, including astral characters against U+E000..U+FFFF', () => {
    const words = ['', 'a', 'ab', 'b', 'é', '\uffff', '\ue000', '😀', '😀a', 'z\u0000', 'Z', '\ud7ff', '中文'];
    for (const a of words) for (const b of words) expect(sign(compareText(a, b))).toBe(sign(utf8Order(a, b)));
  });
});

describe('SortedRows', () => {
  const db = new Database(join(dir, 'runs.db'));
  afterAll(() => db.close());

  it('gives the same distinct rows in the same order in memory and through spilled runs', () => {
    const rand = lcg(3);
    const rows: Row[] = [];
    for (let i = 0; i < 30_000; i++) {
      const hash = Buffer.alloc(32);
      for (let k = 0; k < 32; k++) hash[k] = k < 3 && i % 2 === 0 ? 7 : rand() & 0xff;
      const meta: Meta = i % 5 === 0 ? [`id-${rand() % 50}-ü`, i % 3 === 0 ? 'cat' : '', ''] : null;
      rows.push({ hash, meta });
      if (i % 7 === 0) rows.push({ hash: Buffer.from(hash), meta });
    }
    const want = reference(rows);
    const inMemory = collect(rows, 64 * 2 ** 20, db);
    const spilled = collect(rows, 32 * 997, db);
    expect(inMemory.keys).toEqual(want);
    expect(spilled.keys).toEqual(want);
    expect(inMemory.duplicates).toBe(rows.length - want.length);
    expect(spilled.duplicates).toBe(rows.length - want.length);
  });

  it('handles a hostile list: every hash equal, told apart only by metadata, and exact repeats', () => {
    const hash = Buffer.alloc(32, 0xab);
    const rows: Row[] = [];
    for (let i = 0; i < 3000; i++) rows.push({ hash, meta: i % 4 === 0 ? null : [`${(i * 7919) % 1000}`, '', i % 3 ? '["x"]' : ''] });
    const want = reference(rows);
    expect(collect(rows, 32 * 100, db).keys).toEqual(want);
    expect(collect(rows, 2 ** 26, db).keys).toEqual(want);
  });

  it('sortedOrder sorts short hashes across radix buckets', () => {
    const hashes = Uint8Array.from([3, 1, 0, 0, 255, 0, 3, 0, 0, 1]);
    const order = sortedOrder(hashes, 5, 2, null);
    expect([...order]).toEqual([1, 4, 3, 0, 2]);
  });
});
