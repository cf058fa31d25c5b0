import type Database from 'better-sqlite3';

/**
 * Sorting an import's entries into identity order (signal, hash, external id, category, tags,
 * each in SQLite's BINARY order) with bounded memory: rows collect per signal in memory, are
 * sorted here (a radix pass on the first two hash bytes, then comparisons) and, when the
 * collected bytes pass a budget, spilled as sorted runs into a temporary table. Reading the
 * result merges the runs. It does the job of SQLite's own sorter several times faster for
 * this key (docs/lists.md).
 */

/** External id, category and encoded tags of one entry; null stands for three empty strings. */
export type Meta = readonly [string, string, string] | null;

/** Bytes (hashes plus an estimate for metadata) collected in memory before everything is spilled as sorted runs. */
const RUN_BUDGET_BYTES = 64 * 2 ** 20;
/** Rough heap cost of one row's metadata beyond its characters: an array and three strings. */
const META_OVERHEAD_BYTES = 96;
/** Rows per spilled page (what the merge holds per run). */
const SPILL_PAGE_ROWS = 16384;
const RADIX_BUCKETS = 65536;
const INSERTION_SORT_MAX = 24;
const FIRST_ROW_CAPACITY = 1024;

/** Order of two strings by code point, which is the order of their UTF-8 bytes. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}

export function compareMeta(a: Meta, b: Meta): number {
  if (a === b) return 0;
  const x = a ?? EMPTY_META;
  const y = b ?? EMPTY_META;
  return compareText(x[0], y[0]) || compareText(x[1], y[1]) || compareText(x[2], y[2]);
}
const EMPTY_META = ['', '', ''] as const;

function compareBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, from: number, width: number): number {
  for (let k = from; k < width; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d !== 0) return d;
  }
  return 0;
}

/** A page of sorted rows of one signal. */
export interface Page {
  readonly hashes: Uint8Array;
  readonly meta: readonly Meta[] | null;
  readonly count: number;
}

/** The positions of rows 0..n-1 in sorted order. */
export function sortedOrder(hashes: Uint8Array, n: number, width: number, meta: readonly Meta[] | null): Uint32Array {
  const starts = new Uint32Array(RADIX_BUCKETS + 1);
  for (let i = 0; i < n; i++) starts[((hashes[i * width] << 8) | hashes[i * width + 1]) + 1]++;
  for (let k = 1; k <= RADIX_BUCKETS; k++) starts[k] += starts[k - 1];
  const next = starts.slice(0, RADIX_BUCKETS);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[next[(hashes[i * width] << 8) | hashes[i * width + 1]]++] = i;
  const cmp = (i: number, j: number): number =>
    compareBytes(hashes, i * width, hashes, j * width, 2, width) || (meta ? compareMeta(meta[i], meta[j]) : 0);
  for (let k = 0; k < RADIX_BUCKETS; k++) {
    const s = starts[k];
    const e = starts[k + 1];
    if (e - s < 2) continue;
    if (e - s > INSERTION_SORT_MAX) {
      order.subarray(s, e).sort(cmp);
      continue;
    }
    for (let i = s + 1; i < e; i++) {
      const v = order[i];
      let j = i - 1;
      while (j >= s && cmp(order[j], v) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = v;
    }
  }
  return order;
}

/** Rows `from..to` of `order` as one page, hashes copied into sorted position. */
function gather(hashes: Uint8Array, meta: readonly Meta[] | null, width: number, order: Uint32Array, from: number, to: number): Page {
  const out = new Uint8Array((to - from) * width);
  for (let i = from; i < to; i++) {
    const at = order[i] * width;
    out.set(hashes.subarray(at, at + width), (i - from) * width);
  }
  const pageMeta = meta ? Array.from(order.subarray(from, to), (r) => meta[r]) : null;
  return { hashes: out, meta: pageMeta && pageMeta.some((m) => m !== null) ? pageMeta : null, count: to - from };
}

class SignalRows {
  hashes: Uint8Array;
  meta: Meta[] | null = null;
  count = 0;

  constructor(readonly width: number) {
    this.hashes = new Uint8Array(FIRST_ROW_CAPACITY * width);
  }

  add(hash: Uint8Array, meta: Meta): void {
    if ((this.count + 1) * this.width > this.hashes.length) {
      const grown = new Uint8Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes.set(hash, this.count * this.width);
    if (meta !== null && this.meta === null) this.meta = new Array<Meta>(this.count).fill(null);
    this.meta?.push(meta);
    this.count++;
  }
}

/** Reads one sorted source page by page; `at` is the current row of `page`. */
export class Cursor {
  page: Page = { hashes: new Uint8Array(0), meta: null, count: 0 };
  at = 0;

  constructor(
    private readonly nextPage: () => Page | null,
    readonly width: number,
  ) {}

  /** Move to the next row; false at the end. */
  advance(): boolean {
    if (++this.at < this.page.count) return true;
    for (let p = this.nextPage(); p; p = this.nextPage()) {
      if (p.count === 0) continue;
      this.page = p;
      this.at = 0;
      return true;
    }
    return false;
  }

  meta(): Meta {
    return this.page.meta ? this.page.meta[this.at] : null;
  }

  compare(other: Cursor): number {
    const w = this.width;
    return (
      compareBytes(this.page.hashes, this.at * w, other.page.hashes, other.at * w, 0, w) || compareMeta(this.meta(), other.meta())
    );
  }
}

/** Collects an import's rows and hands them back per signal in identity order, duplicates removed. */
export class SortedRows {
  private readonly inMemory = new Map<string, SignalRows>();
  /** Per signal, each spilled run as the temporary-table rowids of its pages. */
  private readonly spilled = new Map<string, number[][]>();
  private readonly widths = new Map<string, number>();
  private bytes = 0;
  private insertPage: Database.Statement | null = null;
  private readPage: Database.Statement | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly budgetBytes = RUN_BUDGET_BYTES,
  ) {}

  add(signal: string, hash: Uint8Array, meta: Meta): void {
    let rows = this.inMemory.get(signal);
    if (!rows) {
      rows = new SignalRows(hash.byteLength);
      this.inMemory.set(signal, rows);
      this.widths.set(signal, hash.byteLength);
    }
    rows.add(hash, meta);
    this.bytes += hash.byteLength;
    if (meta !== null) this.bytes += META_OVERHEAD_BYTES + 2 * (meta[0].length + meta[1].length + meta[2].length);
    if (this.bytes >= this.budgetBytes) this.spill();
  }

  /** Signal names in BINARY order. */
  signals(): string[] {
    return [...this.widths.keys()].sort(compareText);
  }

  /**
   * Visit the signal's distinct rows in order; `emit` gets the cursor positioned on each.
   * Returns how many rows were dropped as duplicates.
   */
  forEachDistinct(signal: string, emit: (row: Cursor) => void): number {
    const width = this.widths.get(signal) ?? 0;
    const cursors = this.sources(signal, width).filter((c) => c.advance());
    const heap = new CursorHeap(cursors);
    const last = new Uint8Array(width);
    let lastMeta: Meta = null;
    let started = false;
    let duplicates = 0;
    for (let top = heap.top(); top; top = heap.top()) {
      const off = top.at * width;
      const same =
        started && compareBytes(top.page.hashes, off, last, 0, 0, width) === 0 && compareMeta(top.meta(), lastMeta) === 0;
      if (same) duplicates++;
      else {
        emit(top);
        last.set(top.page.hashes.subarray(off, off + width));
        lastMeta = top.meta();
        started = true;
      }
      heap.advanceTop();
    }
    return duplicates;
  }

  /** Drop the temporary table (the transaction's rollback also does). */
  dispose(): void {
    if (this.insertPage) this.db.exec('DROP TABLE IF EXISTS temp.import_runs');
  }

  private sources(signal: string, width: number): Cursor[] {
    const cursors: Cursor[] = [];
    for (const pages of this.spilled.get(signal) ?? []) {
      let i = 0;
      cursors.push(new Cursor(() => (i < pages.length ? this.loadPage(pages[i++], width) : null), width));
    }
    const rows = this.inMemory.get(signal);
    if (rows && rows.count > 0) {
      const order = sortedOrder(rows.hashes, rows.count, width, rows.meta);
      let done = false;
      cursors.push(
        new Cursor(() => {
          if (done) return null;
          done = true;
          return gather(rows.hashes, rows.meta, width, order, 0, rows.count);
        }, width),
      );
    }
    return cursors;
  }

  private spill(): void {
    if (!this.insertPage) {
      this.db.exec('CREATE TEMP TABLE import_runs (hashes BLOB NOT NULL, meta TEXT)');
      this.insertPage = this.db.prepare('INSERT INTO temp.import_runs (hashes, meta) VALUES (?, ?)');
      this.readPage = this.db.prepare('SELECT hashes, meta FROM temp.import_runs WHERE rowid = ?').raw();
    }
    for (const [signal, rows] of this.inMemory) {
      if (rows.count === 0) continue;
      const order = sortedOrder(rows.hashes, rows.count, rows.width, rows.meta);
      const pages: number[] = [];
      for (let from = 0; from < rows.count; from += SPILL_PAGE_ROWS) {
        const page = gather(rows.hashes, rows.meta, rows.width, order, from, Math.min(rows.count, from + SPILL_PAGE_ROWS));
        const info = this.insertPage.run(page.hashes, page.meta ? JSON.stringify(page.meta) : null);
        pages.push(Number(info.lastInsertRowid));
      }
      const runs = this.spilled.get(signal) ?? [];
      runs.push(pages);
      this.spilled.set(signal, runs);
    }
    this.inMemory.clear();
    this.bytes = 0;
  }

  private loadPage(rowid: number, width: number): Page {
    const [hashes, meta] = this.readPage!.get(rowid) as [Buffer, string | null];
    return { hashes, meta: meta === null ? null : (JSON.parse(meta) as Meta[]), count: hashes.length / width };
  }
}

/** A binary min-heap of cursors by their current row. */
class CursorHeap {
  constructor(private readonly items: Cursor[]) {
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  top(): Cursor | undefined {
    return this.items[0];
  }

  advanceTop(): void {
    if (!this.items[0].advance()) {
      const last = this.items.pop()!;
      if (this.items.length === 0) return;
      this.items[0] = last;
    }
    this.down(0);
  }

  private down(i: number): void {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l].compare(a[m]) < 0) m = l;
      if (r < a.length && a[r].compare(a[m]) < 0) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}
