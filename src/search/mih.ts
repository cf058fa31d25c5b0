import { checkPacked, checkQuery, checkRadius, HashArena, toMatches, type Hits } from './arena.js';
import type { HammingIndex, IndexMatch, PackedHashes } from './types.js';
import { checkShardBytes, fewestShards, MAX_MEMORY_BYTES, mergeHits, shardCounts, shardOf, splitPacked } from './shards.js';
import { PROBE_DESC_BYTES, SIEVE_ENTRY_BYTES } from './wasm.js';

/**
 * Multi-index hashing (Norouzi, Punjani, Fleet, "Fast Search in Hamming Space with Multi-Index
 * Hashing", CVPR 2012). The hash is cut into m contiguous segments; each segment keys one table.
 * With radius r = a*m + b (0 <= b < m), a hash within r differs by at most a bits in one of the
 * first b+1 segments or by at most a-1 bits in one of the others (otherwise the distance would
 * be at least (b+1)(a+1) + (m-b-1)a = r+1). So probing every key within that many bits of the
 * query's segments finds every match; the WebAssembly kernel checks each candidate's full distance.
 *
 * Tables are CSR buckets in the arena: `offsets` (2^w + 1 u32) and n entries grouped by segment
 * value, build order within a bucket. Plain entries are u32 positions; sieved tables hold, beside
 * the positions, 12-byte entries with 96 bits of the hash from outside the segment, so almost
 * every candidate is rejected while reading its bucket in order, without a random load of its
 * position and full hash (12-byte entries beat 16-byte ones with the position inline: docs/benchmarks.md).
 */

/** Segment widths: offset tables have 2^w + 1 slots, so wide segments cost memory. */
const MIN_SEGMENT_BITS = 4;
const MAX_SEGMENT_BITS = 24;
const MAX_SEGMENTS = 64;
/** Offset-table slots allowed per stored hash (all tables together), and the floor for small lists. */
const OFFSET_SLOTS_PER_HASH = 16;
const MIN_OFFSET_SLOTS = 2 ** 14;
/** Layouts are tuned for this share of the bits when no radius is given (PDQ: 31 of 256). */
const DEFAULT_TUNING_RATIO = 31 / 256;
/** Largest probe set one table may enumerate (a Hamming ball in segment space). */
const MAX_MASKS = 1 << 20;
/**
 * Prices of the cost model that picks the layout and chooses between the tables and a scan, in
 * CPU nanoseconds on one thread (only the ratios matter); fitted from in-round ratios of the
 * tables against a scan, see docs/search.md.
 */
export interface CostModel {
  /** Each bucket probed (its bounds; these loads overlap). */
  readonly probeNs: number;
  /** Extra per probe and per bit of offset table beyond `cheapProbeBits` (TLB and cache misses). */
  readonly probeNsPerExtraBit: number;
  readonly cheapProbeBits: number;
  /** Plain tables: each candidate (its position, then its full hash: two random loads). */
  readonly candidateNs: number;
  /** Sieved tables: each entry whose filter bits pass (its position and full hash loaded and compared). */
  readonly sievePassNs: number;
  /** Extra per random load (plain candidates, sieve passes, sieved buckets) once the hashes outgrow the caches: scaled from 0 at `missFromBytes` of hashes to 1 at 32 times that. */
  readonly missNs: number;
  readonly missFromBytes: number;
  /** Sieved tables: each non-empty bucket probed (a random load) and each entry read in order. */
  readonly sievedBucketNs: number;
  readonly sievedEntryNs: number;
  /** Fixed cost of a query through the tables (calls, result), and each table probed (its key and descriptor written). */
  readonly tablesQueryNs: number;
  readonly tableNs: number;
  /** A scan: each 64-bit word compared, and the fixed cost of a query. */
  readonly scanNsPerWord: number;
  readonly scanQueryNs: number;
}

/** The prices fitted before the 2026-12-05 refit (per-pass timings at 1M and 10M), kept for comparison. */
export const COST_MODEL_2026_11_28: CostModel = Object.freeze({
  probeNs: 14,
  probeNsPerExtraBit: 4.5,
  cheapProbeBits: 21,
  candidateNs: 66,
  sievePassNs: 0,
  missNs: 0,
  missFromBytes: 2 ** 20,
  sievedBucketNs: 48,
  sievedEntryNs: 6,
  tablesQueryNs: 0,
  tableNs: 0,
  scanNsPerWord: 1.2,
  scanQueryNs: 0,
});

/** The prices in use: fitted 2026-12-05 by `bench/costmodel.ts` to 10k..30M 256-bit hashes, `candidateNs` held at an in-cache load and compare (docs/search.md). */
export const COST_MODEL: CostModel = Object.freeze({
  probeNs: 8.4,
  probeNsPerExtraBit: 2.8,
  cheapProbeBits: 21,
  candidateNs: 10,
  sievePassNs: 1.5,
  missNs: 31,
  missFromBytes: 2 ** 20,
  sievedBucketNs: 1.7,
  sievedEntryNs: 2.6,
  tablesQueryNs: 350,
  tableNs: 2.9,
  scanNsPerWord: 0.275,
  scanQueryNs: 0,
});

/**
 * Sieved buckets holding at least this many entries on average are first touched during the
 * bounds pass (loads 64 bytes apart from the start, and one at the end), so their misses overlap
 * too; on sparse tables it cost more
 * than it saved (1M: 16x16 bits 62 -> 51 us per query; 13 tables of 18-21 bits 61 -> 80 us).
 */
const TOUCH_MIN_ENTRIES_PER_BUCKET = 2;
/** How far past a bucket's start the bounds pass may touch (kept inside the table by padding). */
const TOUCH_REACH_BYTES = 192;
/** Sieved tables are chosen only while the whole index stays under this (16 bytes per hash per table, against 4). */
const MAX_SIEVED_INDEX_BYTES = 1.5 * 2 ** 30;
/** Probes per bounds/sieve/verify round: the (start, end) pairs of one round stay in cache. */
const PROBES_PER_ROUND = 1 << 14;
const POSITION_BYTES = 4;
const FILTER_WORDS = 3;
const PAIR_BYTES = 8;
const RADIX_BITS = 12;
const CACHE_MAGIC = Uint8Array.from(Buffer.from('HSMIH\0\0\0'));
const CACHE_FORMAT = 3;
const CACHE_PREAMBLE_BYTES = 16;
/** A sharded index's stream: this preamble and header, then each shard as a single index's stream. */
const SHARDS_MAGIC = Uint8Array.from(Buffer.from('HSMIHS\0\0'));
const SHARDS_FORMAT = 1;
/** Memory a shard keeps free for queries beyond one 8-byte hit per hash: probe sets, descriptors, candidates. */
const QUERY_RESERVE_BYTES = 64 * 2 ** 20;

export type Strategy = 'mih' | 'linear';
/** Table entries: `plain` positions (4 bytes) or `sieved`: positions plus 12 bytes of filter bits (16 bytes). */
export type EntryKind = 'plain' | 'sieved';

export interface MultiIndexHashOptions {
  /** The radius queries will mostly use; the segment layout is tuned for it (any radius still works). */
  readonly radius?: number;
  /** Segment count m (default: chosen by the cost model). */
  readonly segments?: number;
  /** Explicit segment widths in bits, summing to the hash length (overrides `segments`). */
  readonly widths?: readonly number[];
  /** `auto` (default) picks by estimated cost; `mih` uses the tables whenever the probe sets fit. */
  readonly strategy?: 'auto' | Strategy;
  /** Table entry kind (default: the cheaper by the cost model, sieved only within MAX_SIEVED_INDEX_BYTES). */
  readonly entries?: EntryKind;
  /** WebAssembly memory one shard may take (default and most: 4 GiB); a list whose index would need more is split into shards. */
  readonly maxShardBytes?: number;
}

export interface QueryPlan {
  readonly strategy: Strategy;
  readonly radius: number;
  /** Probe radius per segment (-1: segment not probed). */
  readonly segmentRadii: readonly number[];
  /** Buckets probed per query. */
  readonly probes: number;
  /** Expected candidates (table entries read) per query on uniformly random hashes. */
  readonly expectedCandidates: number;
  readonly reason: string;
  /** Shards asked (each a multi-index hash over its own memory; probes and candidates are their sums). */
  readonly shards: number;
}

/** One table's probe keys of a query, a slice of its mask list: written to memory as a descriptor. */
interface ProbeDesc {
  readonly segment: number;
  readonly masks: number;
  readonly count: number;
}

interface ProbeLayout {
  /** Descriptor table address (PROBE_DESC_BYTES each), keys rewritten per query. */
  readonly table: number;
  readonly descs: readonly ProbeDesc[];
  /** Consecutive descriptors per round: [first, count, probes]. */
  readonly rounds: readonly [number, number, number][];
  readonly maxProbes: number;
  /** Touch each bucket's entries during the bounds pass (dense sieved tables). */
  readonly touch: boolean;
}

interface Segment {
  readonly width: number;
  readonly byte: number;
  readonly shift: number;
  readonly mask: number;
  /** First of the FILTER_WORDS u32 words (cyclically) after the segment's last word: sieved filter bits. */
  readonly filterWord: number;
  offsets: number;
  /** Plain: the positions; sieved: the filter entries, with the positions in their own array. */
  entries: number;
  positions: number;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}

/** Number of w-bit values within Hamming distance a of a point. */
export function ballSize(w: number, a: number): number {
  let v = 0;
  for (let k = 0; k <= Math.min(a, w); k++) v += binomial(w, k);
  return v;
}

/** Every w-bit value with at most `a` bits set, fewest bits first. */
export function ballMasks(w: number, a: number): Uint32Array {
  const out = new Uint32Array(ballSize(w, a));
  let n = 0;
  const extend = (mask: number, from: number, left: number): void => {
    if (left === 0) {
      out[n++] = mask >>> 0;
      return;
    }
    for (let bit = from; bit < w; bit++) extend(mask | (1 << bit), bit + 1, left - 1);
  };
  for (let k = 0; k <= Math.min(a, w); k++) extend(0, 0, k);
  return out;
}

/** What one query does on a segment layout at `radius`, on uniformly random data: the counts the cost model prices. */
export interface LayoutWork {
  /** Buckets probed. */
  readonly probes: number;
  /** Probes weighted by the bits of their offset table beyond the cheap width. */
  readonly extraBitProbes: number;
  /** Expected table entries read. */
  readonly candidates: number;
  /** Expected non-empty buckets among the probes. */
  readonly buckets: number;
  /** Expected entries of sieved tables whose filter bits pass, so their full hash is loaded and compared. */
  readonly sievePassed: number;
  /** Tables probed. */
  readonly tables: number;
  /** 0..1: how far the hashes have outgrown the caches (random loads then miss). */
  readonly miss: number;
}

/** Chance that `bits` uniformly random bits hold at most `radius` ones (a random entry's filter bits passing the sieve). */
function binomialTail(bits: number, radius: number): number {
  let p = 0;
  for (let k = 0; k <= Math.min(radius, bits); k++) p += Math.exp(logBinomial(bits, k) - bits * Math.LN2);
  return Math.min(1, p);
}

function logBinomial(n: number, k: number): number {
  let v = 0;
  for (let i = 0; i < k; i++) v += Math.log(n - i) - Math.log(i + 1);
  return v;
}

export function layoutWork(widths: readonly number[], count: number, radius: number, cost: CostModel = COST_MODEL): LayoutWork {
  let probes = 0;
  let extraBitProbes = 0;
  let candidates = 0;
  let buckets = 0;
  let tables = 0;
  segmentRadii(radius, widths).forEach((a, i) => {
    if (a < 0) return;
    const v = ballSize(widths[i], a);
    const perBucket = count / 2 ** widths[i];
    tables++;
    probes += v;
    extraBitProbes += v * Math.max(0, widths[i] - cost.cheapProbeBits);
    candidates += v * perBucket;
    buckets += v * -Math.expm1(-perBucket);
  });
  const filterBits = 32 * Math.min(FILTER_WORDS, Math.ceil(widths.reduce((a, b) => a + b, 0) / 32));
  const bits = widths.reduce((a, b) => a + b, 0);
  const hashBytes = count * Math.ceil(bits / 64) * 8;
  const miss = Math.min(1, Math.max(0, Math.log2(hashBytes / cost.missFromBytes) / 5));
  return { probes, extraBitProbes, candidates, buckets, sievePassed: candidates * binomialTail(filterBits, radius), tables, miss };
}

/** Estimated nanoseconds of a query through the tables. */
export function tablesCostNs(work: LayoutWork, entries: EntryKind, cost: CostModel = COST_MODEL): number {
  const probeNs = work.probes * cost.probeNs + work.extraBitProbes * cost.probeNsPerExtraBit + work.tables * cost.tableNs + cost.tablesQueryNs;
  return entries === 'plain'
    ? probeNs + work.candidates * (cost.candidateNs + work.miss * cost.missNs)
    : probeNs + work.buckets * (cost.sievedBucketNs + work.miss * cost.missNs) + work.candidates * cost.sievedEntryNs + work.sievePassed * (cost.sievePassNs + work.miss * cost.missNs);
}

/** Estimated nanoseconds of a scan over `count` hashes of `bits` bits. */
export function scanCostNs(bits: number, count: number, cost: CostModel = COST_MODEL): number {
  return cost.scanQueryNs + count * Math.ceil(bits / 64) * cost.scanNsPerWord;
}

/** Estimated nanoseconds per query for a segment layout at `radius` (uniform random data). */
function layoutCost(widths: readonly number[], count: number, radius: number, entries: EntryKind, cost: CostModel): { ns: number; probes: number; candidates: number } {
  const work = layoutWork(widths, count, radius, cost);
  return { ns: tablesCostNs(work, entries, cost), probes: work.probes, candidates: work.candidates };
}

/** Bytes of WebAssembly memory an index of this layout takes (hashes and tables). */
export function layoutBytes(bits: number, count: number, widths: readonly number[], entries: EntryKind): number {
  const stride = Math.ceil(bits / 64) * 8;
  const entryBytes = entries === 'plain' ? POSITION_BYTES : POSITION_BYTES + SIEVE_ENTRY_BYTES;
  return count * stride + widths.reduce((sum, w) => sum + (2 ** w + 1) * 4 + count * entryBytes, 0);
}

/** `total` bits over `n` segments as evenly as possible (wider first), or null if outside the width limits. */
function evenSplit(total: number, n: number): number[] | null {
  if (n === 0) return total === 0 ? [] : null;
  const narrow = Math.floor(total / n);
  const wide = total - narrow * n;
  if (narrow < MIN_SEGMENT_BITS || narrow + (wide ? 1 : 0) > MAX_SEGMENT_BITS) return null;
  return Array.from({ length: n }, (_, i) => narrow + (i < wide ? 1 : 0));
}

export interface Layout {
  readonly widths: number[];
  readonly entries: EntryKind;
}

/**
 * Segment widths and entry kind for `count` hashes tuned for queries at `radius`: the segments
 * probed at the larger radius (the first b+1) may be wider than the rest. Picks the cheapest
 * layout by the cost model, with offset tables capped at OFFSET_SLOTS_PER_HASH slots per hash
 * and sieved entries only while the index stays within MAX_SIEVED_INDEX_BYTES.
 */
export function chooseLayout(bits: number, count: number, radius: number, segments?: number, entries?: EntryKind, cost: CostModel = COST_MODEL): Layout {
  const slotBudget = Math.max(MIN_OFFSET_SLOTS, OFFSET_SLOTS_PER_HASH * count);
  const lo = segments ?? Math.ceil(bits / MAX_SEGMENT_BITS);
  const hi = segments ?? Math.min(MAX_SEGMENTS, Math.floor(bits / MIN_SEGMENT_BITS));
  let best: { layout: Layout; ns: number } | null = null;
  for (let m = lo; m <= hi; m++) {
    const big = Math.min(m, radius - Math.floor(radius / m) * m + 1);
    for (let bigBits = big * MIN_SEGMENT_BITS; bigBits <= big * MAX_SEGMENT_BITS; bigBits++) {
      const first = evenSplit(bigBits, big);
      const rest = evenSplit(bits - bigBits, m - big);
      if (!first || !rest) continue;
      const widths = [...first, ...rest];
      if (widths.reduce((sum, w) => sum + 2 ** w, 0) > slotBudget) continue;
      const kind = entries ?? chooseEntries(bits, count, radius, widths, cost);
      const { ns } = layoutCost(widths, count, radius, kind, cost);
      if (!best || ns < best.ns) best = { layout: { widths, entries: kind }, ns };
    }
  }
  if (!best) {
    const fallback = evenSplit(bits, segments ?? hi);
    if (!fallback) throw new RangeError(`Cannot cut ${bits} bits into ${segments} segments of ${MIN_SEGMENT_BITS}..${MAX_SEGMENT_BITS} bits`);
    return { widths: fallback, entries: entries ?? 'plain' };
  }
  return best.layout;
}

/** The cheaper entry kind for these widths by the cost model; sieved only within MAX_SIEVED_INDEX_BYTES. */
export function chooseEntries(bits: number, count: number, radius: number, widths: readonly number[], cost: CostModel = COST_MODEL): EntryKind {
  if (layoutBytes(bits, count, widths, 'sieved') > MAX_SIEVED_INDEX_BYTES) return 'plain';
  return layoutCost(widths, count, radius, 'sieved', cost).ns < layoutCost(widths, count, radius, 'plain', cost).ns ? 'sieved' : 'plain';
}

/** Whether the tables or a scan answer a query at `radius` more cheaply by the cost model (the planner's choice when the probe sets fit). */
export function cheaperStrategy(bits: number, count: number, layout: Layout, radius: number, cost: CostModel = COST_MODEL): Strategy {
  const tables = layoutCost(layout.widths, count, radius, layout.entries, cost).ns;
  return tables < scanCostNs(bits, count, cost) ? 'mih' : 'linear';
}

/** Segment widths of `chooseLayout`. */
export function chooseWidths(bits: number, count: number, radius: number, segments?: number): number[] {
  return chooseLayout(bits, count, radius, segments).widths;
}

/** Probe radius per segment for radius r over m segments (the refined pigeonhole above). */
export function segmentRadii(radius: number, widths: readonly number[]): number[] {
  const m = widths.length;
  const a = Math.floor(radius / m);
  const b = radius - a * m;
  return widths.map((w, i) => Math.min(w, i <= b ? a : a - 1));
}

/** A preamble (magic, header length) and a JSON header, padded to whole 8-byte words. */
function framed(magic: Uint8Array, header: object): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const preamble = new Uint8Array(CACHE_PREAMBLE_BYTES + Math.ceil(json.length / 8) * 8).fill(0x20);
  preamble.set(magic);
  new DataView(preamble.buffer).setUint32(magic.length, preamble.length - CACHE_PREAMBLE_BYTES, true);
  preamble.set(json, CACHE_PREAMBLE_BYTES);
  return preamble;
}

function hasMagic(preamble: Uint8Array, magic: Uint8Array): boolean {
  return magic.every((b, i) => preamble[i] === b);
}

/** The JSON header after a preamble read by the caller. */
function readHeader(preamble: Uint8Array, readExact: (dst: Uint8Array) => void): unknown {
  const headerBytes = new Uint8Array(new DataView(preamble.buffer, preamble.byteOffset).getUint32(CACHE_MAGIC.length, true));
  readExact(headerBytes);
  return JSON.parse(Buffer.from(headerBytes).toString('utf8'));
}

/** One multi-index hash over one WebAssembly memory: a whole index, or one shard of a larger one. */
export class MihShard implements HammingIndex {
  readonly bits: number;
  readonly size: number;
  readonly widths: readonly number[];
  readonly entries: EntryKind;
  /** How the last query was answered (`linear` when the tables could not pay off or cover the radius). */
  lastQueryStrategy: Strategy | null = null;
  private readonly ids: Uint32Array;
  private readonly arena: HashArena;
  private readonly segments: Segment[];
  private readonly forced: 'auto' | Strategy;
  private readonly masks = new Map<string, { ptr: number; count: number }>();
  private readonly plans = new Map<number, QueryPlan>();
  private readonly probeLayouts = new Map<number, ProbeLayout>();
  private tablesEnd = 0;

  private constructor(arena: HashArena, ids: Uint32Array, layout: Layout, strategy: 'auto' | Strategy) {
    this.arena = arena;
    this.bits = arena.bits;
    this.size = arena.count;
    this.ids = ids;
    this.forced = strategy;
    this.widths = layout.widths;
    this.entries = layout.entries;
    const words = arena.stride / 4;
    let bit = 0;
    this.segments = layout.widths.map((width) => {
      const filterWord = (((bit + width - 1) >> 5) + 1) % words;
      const seg: Segment = { width, byte: bit >> 3, shift: 32 - (bit & 7) - width, mask: 2 ** width - 1, filterWord, offsets: 0, entries: 0, positions: 0 };
      bit += width;
      return seg;
    });
  }

  /** Index `packed` with `layout` (validated by the caller). */
  static build(packed: PackedHashes, layout: Layout, strategy: 'auto' | Strategy): MihShard {
    const index = new MihShard(HashArena.fromPacked(packed), packed.ids, layout, strategy);
    const sortBuffers = Array.from({ length: 4 }, () => new Uint32Array(packed.count));
    for (const seg of index.segments) index.buildTable(seg, sortBuffers);
    index.tablesEnd = index.arena.used;
    return index;
  }

  /**
   * The index as byte chunks to write in order, tagged with `key` (e.g. the list's entries
   * digest): a header, the WebAssembly memory image (hashes and tables), then the ids.
   */
  serialize(key: string): Uint8Array[] {
    const image = this.arena.u8().subarray(0, this.tablesEnd);
    return [framed(CACHE_MAGIC, {
      format: CACHE_FORMAT,
      key,
      bits: this.bits,
      count: this.size,
      widths: this.widths,
      entries: this.entries,
      tables: this.segments.map((s) => [s.offsets, s.entries, s.positions]),
      imageBytes: image.length,
    }), image, new Uint8Array(this.ids.buffer, this.ids.byteOffset, this.ids.byteLength)];
  }

  /**
   * Rebuild an index from what `serialize` wrote; `readExact(dst)` must fill `dst` from the
   * stream. Returns null when the stream is not an index cache (of this format) or was written
   * for another key.
   */
  static restore(readExact: (dst: Uint8Array) => void, key: string, strategy: 'auto' | Strategy, preamble?: Uint8Array): MihShard | null {
    if (!preamble) {
      preamble = new Uint8Array(CACHE_PREAMBLE_BYTES);
      readExact(preamble);
    }
    if (!hasMagic(preamble, CACHE_MAGIC)) return null;
    const h = readHeader(preamble, readExact) as {
      format: number; key: string; bits: number; count: number; widths: number[]; entries: EntryKind; tables: [number, number, number][]; imageBytes: number;
    };
    if (h.format !== CACHE_FORMAT || h.key !== key) return null;
    const arena = HashArena.restore(h.bits, h.count, h.imageBytes, readExact);
    const ids = new Uint32Array(h.count);
    readExact(new Uint8Array(ids.buffer));
    const index = new MihShard(arena, ids, { widths: h.widths, entries: h.entries }, strategy);
    index.segments.forEach((seg, i) => {
      [seg.offsets, seg.entries, seg.positions] = h.tables[i];
    });
    index.tablesEnd = h.imageBytes;
    return index;
  }

  /** Bytes of WebAssembly memory this index holds (hashes, tables, buffers). */
  get memoryBytes(): number {
    return this.arena.byteLength;
  }

  private key(u8: Uint8Array, at: number, seg: Segment): number {
    const p = at + seg.byte;
    const word = ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;
    return (word >>> seg.shift) & seg.mask;
  }

  /**
   * Fill one table: positions sorted by segment key (LSD radix sort in passes of RADIX_BITS,
   * which keeps the scatter cache-friendly where one counting sort into a 2^24-slot table is
   * not), then bucket offsets from the sorted keys, then the entries.
   * The four sort buffers are shared by all tables (fresh ones per table raised the peak RSS).
   */
  private buildTable(seg: Segment, sortBuffers: Uint32Array[]): void {
    const n = this.size;
    const buckets = 2 ** seg.width;
    seg.offsets = this.arena.alloc((buckets + 1) * 4);
    seg.positions = this.arena.alloc(n * POSITION_BYTES + TOUCH_REACH_BYTES);
    seg.entries = this.entries === 'plain' ? seg.positions : this.arena.alloc(n * SIEVE_ENTRY_BYTES + TOUCH_REACH_BYTES);
    const u8 = this.arena.u8();
    const u32 = this.arena.u32();
    const { base, stride } = this.arena;
    let [keys, pos, nextKeys, nextPos] = sortBuffers;
    for (let i = 0; i < n; i++) {
      keys[i] = this.key(u8, base + i * stride, seg);
      pos[i] = i;
    }
    const counts = new Uint32Array(2 ** RADIX_BITS);
    for (let shift = 0; shift < seg.width; shift += RADIX_BITS) {
      const digitMask = 2 ** Math.min(RADIX_BITS, seg.width - shift) - 1;
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & digitMask]++;
      for (let d = 0, sum = 0; d <= digitMask; d++) {
        const c = counts[d];
        counts[d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const at = counts[(keys[i] >>> shift) & digitMask]++;
        nextKeys[at] = keys[i];
        nextPos[at] = pos[i];
      }
      [keys, nextKeys] = [nextKeys, keys];
      [pos, nextPos] = [nextPos, pos];
    }
    const off = seg.offsets >>> 2;
    for (let k = 0, j = 0; k <= buckets; k++) {
      while (j < n && keys[j] < k) j++;
      u32[off + k] = j;
    }
    u32.set(pos, seg.positions >>> 2);
    if (this.entries === 'plain') return;
    const words = stride / 4;
    const taken = Math.min(FILTER_WORDS, words);
    for (let j = 0, e = seg.entries >>> 2; j < n; j++, e += SIEVE_ENTRY_BYTES / 4) {
      const h = (base + pos[j] * stride) >>> 2;
      for (let t = 0; t < FILTER_WORDS; t++) u32[e + t] = t < taken ? u32[h + ((seg.filterWord + t) % words)] : 0;
    }
  }

  private probeSet(width: number, radius: number): { ptr: number; count: number } {
    const k = `${width}:${radius}`;
    let set = this.masks.get(k);
    if (!set) {
      const masks = ballMasks(width, radius);
      const ptr = this.arena.alloc(masks.byteLength);
      this.arena.u32().set(masks, ptr >>> 2);
      set = { ptr, count: masks.length };
      this.masks.set(k, set);
    }
    return set;
  }

  /** How a query at `radius` would be answered, with the numbers behind the choice. */
  plan(radius: number): QueryPlan {
    let plan = this.plans.get(radius);
    if (!plan) {
      checkRadius(radius);
      plan = this.makePlan(radius);
      this.plans.set(radius, plan);
    }
    return plan;
  }

  private makePlan(radius: number): QueryPlan {
    const radii = segmentRadii(radius, this.widths);
    const { ns: mihCost, probes, candidates } = layoutCost(this.widths, this.size, radius, this.entries, COST_MODEL);
    const base = { radius, segmentRadii: radii, probes, expectedCandidates: candidates, shards: 1 };
    const fits = radii.every((a, i) => a < 0 || ballSize(this.widths[i], a) <= MAX_MASKS);
    if (this.forced === 'linear') return { ...base, strategy: 'linear', reason: 'linear strategy requested' };
    if (!fits) return { ...base, strategy: 'linear', reason: `probe sets over ${MAX_MASKS} keys per table` };
    if (this.forced === 'mih') return { ...base, strategy: 'mih', reason: 'mih strategy requested' };
    const linearCost = scanCostNs(this.bits, this.size, COST_MODEL);
    return mihCost < linearCost
      ? { ...base, strategy: 'mih', reason: `estimated ${Math.round(mihCost)} ns < linear ${Math.round(linearCost)} ns` }
      : { ...base, strategy: 'linear', reason: `estimated ${Math.round(mihCost)} ns >= linear ${Math.round(linearCost)} ns` };
  }

  /**
   * The descriptors of every probed table at `radius` (a table's masks cut into slices of at most
   * PROBES_PER_ROUND), grouped into rounds of at most PROBES_PER_ROUND probes.
   */
  private probeLayout(plan: QueryPlan): ProbeLayout {
    let layout = this.probeLayouts.get(plan.radius);
    if (layout) return layout;
    const descs: ProbeDesc[] = [];
    plan.segmentRadii.forEach((a, segment) => {
      if (a < 0) return;
      const set = this.probeSet(this.widths[segment], a);
      for (let from = 0; from < set.count; from += PROBES_PER_ROUND) {
        descs.push({ segment, masks: set.ptr + from * 4, count: Math.min(PROBES_PER_ROUND, set.count - from) });
      }
    });
    const rounds: [number, number, number][] = [];
    for (let i = 0; i < descs.length; i++) {
      const last = rounds[rounds.length - 1];
      if (last && last[2] + descs[i].count <= PROBES_PER_ROUND) {
        last[1]++;
        last[2] += descs[i].count;
      } else rounds.push([i, 1, descs[i].count]);
    }
    const table = this.arena.alloc(Math.max(1, descs.length) * PROBE_DESC_BYTES);
    const u32 = this.arena.u32();
    descs.forEach((d, i) => {
      const seg = this.segments[d.segment];
      const at = (table + i * PROBE_DESC_BYTES) >>> 2;
      u32.set([seg.offsets, seg.entries, 0, d.masks, d.count], at);
      u32[at + 8] = seg.positions;
    });
    const touch = this.entries === 'sieved' && plan.expectedCandidates >= TOUCH_MIN_ENTRIES_PER_BUCKET * plan.probes;
    layout = { table, descs, rounds, touch, maxProbes: Math.max(0, ...rounds.map((r) => r[2])) };
    this.probeLayouts.set(plan.radius, layout);
    return layout;
  }

  /** Write the query's key (and, for sieved tables, filter words) into every descriptor. */
  private writeKeys(layout: ProbeLayout, q: number): void {
    const u8 = this.arena.u8();
    const u32 = this.arena.u32();
    const words = this.arena.stride / 4;
    const taken = Math.min(FILTER_WORDS, words);
    const qWord = q >>> 2;
    for (let i = 0; i < layout.descs.length; i++) {
      const seg = this.segments[layout.descs[i].segment];
      const d = (layout.table + i * PROBE_DESC_BYTES) >>> 2;
      u32[d + 2] = this.key(u8, q, seg);
      if (this.entries === 'plain') continue;
      const filter = (t: number) => (t < taken ? u32[qWord + ((seg.filterWord + t) % words)] : 0);
      u32[d + 6] = filter(0);
      u32[d + 7] = filter(1);
      u32[d + 5] = filter(2);
    }
  }

  private searchTables(hash: Uint8Array, plan: QueryPlan): Hits {
    const { arena } = this;
    const { kernel, base } = arena;
    const { radius } = plan;
    const layout = this.probeLayout(plan);
    const ranges = arena.scratch('ranges', layout.maxProbes * PAIR_BYTES + 8);
    const q = arena.setQuery(hash);
    this.writeKeys(layout, q);
    const sieved = this.entries === 'sieved';
    const entryBytes = sieved ? SIEVE_ENTRY_BYTES : POSITION_BYTES;
    for (;;) {
      const out = arena.scratch('out', 0);
      const cap = arena.scratchBytes('out') / PAIR_BYTES;
      let hits = 0;
      for (const [first, count, probes] of layout.rounds) {
        const desc = layout.table + first * PROBE_DESC_BYTES;
        const entries = layout.touch ? kernel.boundsTouch(desc, count, ranges, entryBytes) : kernel.bounds(desc, count, ranges, entryBytes);
        const cand = arena.scratch('cand', (entries + 1) * 4);
        const candEnd = sieved ? kernel.sieve(desc, count, ranges, cand, radius) : kernel.gather(ranges, probes, cand);
        hits = kernel.verify(cand, candEnd, base, q, radius, out, hits, cap);
      }
      if (hits <= cap) return arena.collect(out, hits);
      arena.scratch('out', hits * PAIR_BYTES);
    }
  }

  /** Positions (build order) and distances of every hash within `radius`, sorted by distance then position. */
  search(hash: Uint8Array, radius: number): Hits {
    checkQuery(hash, this.bits);
    const plan = this.plan(radius);
    return this.searchAs(hash, plan.strategy === 'linear' ? 'linear' : 'mih', plan);
  }

  /** `search` answered by the given strategy (`mih` only where `plan` allows the tables: their probe sets fit). */
  searchAs(hash: Uint8Array, strategy: Strategy, plan: QueryPlan): Hits {
    this.lastQueryStrategy = strategy;
    if (strategy === 'linear') return this.arena.scan(hash, plan.radius);
    return this.searchTables(hash, plan);
  }

  idOf(position: number): number {
    return this.ids[position];
  }

  query(hash: Uint8Array, radius: number): IndexMatch[] {
    return toMatches(this.search(hash, radius), this.ids);
  }

  queryMany(hashes: readonly Uint8Array[], radius: number): IndexMatch[][] {
    return hashes.map((h) => this.query(h, radius));
  }
}

/** Bytes of one shard's memory: its hashes and tables, one 8-byte hit per hash (a query matching all), and padding. */
export function shardBytes(bits: number, count: number, layout: Layout): number {
  const padding = layout.widths.length * 2 * (TOUCH_REACH_BYTES + 8) + 4 * 8 * Math.ceil(bits / 64);
  return layoutBytes(bits, count, layout.widths, layout.entries) + count * PAIR_BYTES + padding;
}

/**
 * How an index of `count` hashes is cut: the fewest shards (consecutive runs of near-equal size)
 * whose memory fits `maxShardBytes`, and the layout the cost model picks for one shard's size.
 */
export function shardLayout(bits: number, count: number, radius: number, options: Pick<MultiIndexHashOptions, 'segments' | 'widths' | 'entries' | 'maxShardBytes'> = {}): { counts: number[]; layout: Layout } {
  const budget = options.maxShardBytes ?? MAX_MEMORY_BYTES - QUERY_RESERVE_BYTES;
  checkShardBytes(budget);
  const layouts = new Map<number, Layout>();
  const layoutFor = (n: number): Layout => {
    let layout = layouts.get(n);
    if (!layout) {
      layout = options.widths
        ? { widths: [...options.widths], entries: options.entries ?? chooseEntries(bits, n, radius, options.widths) }
        : chooseLayout(bits, n, radius, options.segments, options.entries);
      layouts.set(n, layout);
    }
    return layout;
  };
  const counts = shardCounts(count, fewestShards(count, (n) => shardBytes(bits, n, layoutFor(n)) <= budget));
  return { counts, layout: layoutFor(counts[0]) };
}

/**
 * The fast Hamming index: multi-index hashing over one WebAssembly memory or, when the hashes
 * and tables would not fit one (4 GiB), over shards: consecutive runs of the list in build order,
 * each in its own memory with the layout the cost model picks for its size. A query asks every
 * shard and merges their answers, so they are the same as one index's (ties in build order).
 */
export class MultiIndexHash implements HammingIndex {
  readonly bits: number;
  readonly size: number;
  /** The segment widths and entry kind of every shard (shards differ in size by one hash at most). */
  readonly widths: readonly number[];
  readonly entries: EntryKind;
  /** How the last query was answered (`linear` when the tables could not pay off or cover the radius). */
  lastQueryStrategy: Strategy | null = null;
  private readonly shards: readonly MihShard[];
  private readonly starts: readonly number[];
  private readonly plans = new Map<number, QueryPlan>();

  private constructor(shards: readonly MihShard[]) {
    this.shards = shards;
    this.bits = shards[0].bits;
    this.widths = shards[0].widths;
    this.entries = shards[0].entries;
    let at = 0;
    this.starts = shards.map((s) => ((at += s.size), at - s.size));
    this.size = at;
  }

  static build(packed: PackedHashes, options: MultiIndexHashOptions = {}): MultiIndexHash {
    checkPacked(packed);
    const { bits } = packed;
    if (options.entries !== undefined && options.entries !== 'plain' && options.entries !== 'sieved') {
      throw new RangeError(`Expected entries 'plain' or 'sieved' but received ${String(options.entries)}`);
    }
    const m = options.segments;
    const lowest = Math.ceil(bits / MAX_SEGMENT_BITS);
    const highest = Math.min(MAX_SEGMENTS, Math.floor(bits / MIN_SEGMENT_BITS));
    if (m !== undefined && (!Number.isInteger(m) || m < lowest || m > highest)) {
      throw new RangeError(`Expected a segment count from ${lowest} to ${highest} for ${bits}-bit hashes but received ${m}`);
    }
    const radius = options.radius ?? Math.round(bits * DEFAULT_TUNING_RATIO);
    checkRadius(radius);
    const { widths } = options;
    if (widths && (widths.reduce((sum, w) => sum + w, 0) !== bits || widths.some((w) => !Number.isInteger(w) || w < 1 || w > MAX_SEGMENT_BITS))) {
      throw new RangeError(`Expected segment widths of 1..${MAX_SEGMENT_BITS} bits summing to ${bits} but received ${widths.join(',')}`);
    }
    const { counts, layout } = shardLayout(bits, packed.count, radius, options);
    const { parts } = splitPacked(packed, counts);
    return new MultiIndexHash(parts.map((part) => MihShard.build(part, layout, options.strategy ?? 'auto')));
  }

  /** Entries per shard, in build order (one shard unless the list outgrew one memory). */
  get shardSizes(): number[] {
    return this.shards.map((s) => s.size);
  }

  /**
   * The index as byte chunks to write in order, tagged with `key` (e.g. the list's entries
   * digest). One shard: a header, the WebAssembly memory image (hashes and tables), then the ids;
   * several: a header naming the shards, then each shard so.
   */
  serialize(key: string): Uint8Array[] {
    if (this.shards.length === 1) return this.shards[0].serialize(key);
    const header = framed(SHARDS_MAGIC, { format: SHARDS_FORMAT, key, bits: this.bits, count: this.size, shards: this.shardSizes });
    return [header, ...this.shards.flatMap((s) => s.serialize(key))];
  }

  /**
   * Rebuild an index from what `serialize` wrote; `readExact(dst)` must fill `dst` from the
   * stream. Returns null when the stream is not an index cache (of this format) or was written
   * for another key.
   */
  static restore(readExact: (dst: Uint8Array) => void, key: string, options: Pick<MultiIndexHashOptions, 'strategy'> = {}): MultiIndexHash | null {
    const strategy = options.strategy ?? 'auto';
    const preamble = new Uint8Array(CACHE_PREAMBLE_BYTES);
    readExact(preamble);
    if (hasMagic(preamble, CACHE_MAGIC)) {
      const one = MihShard.restore(readExact, key, strategy, preamble);
      return one && new MultiIndexHash([one]);
    }
    if (!hasMagic(preamble, SHARDS_MAGIC)) return null;
    const h = readHeader(preamble, readExact) as { format: number; key: string; bits: number; count: number; shards: number[] };
    if (h.format !== SHARDS_FORMAT || h.key !== key || !Array.isArray(h.shards) || h.shards.length === 0) return null;
    const shards: MihShard[] = [];
    for (const count of h.shards) {
      const shard = MihShard.restore(readExact, key, strategy);
      const same = shards.length === 0 || (shard?.entries === shards[0].entries && shard.widths.join() === shards[0].widths.join());
      if (!shard || shard.size !== count || shard.bits !== h.bits || !same) return null;
      shards.push(shard);
    }
    const index = new MultiIndexHash(shards);
    return index.size === h.count ? index : null;
  }

  /** Bytes of WebAssembly memory this index holds (hashes, tables, buffers; all shards). */
  get memoryBytes(): number {
    return this.shards.reduce((sum, s) => sum + s.memoryBytes, 0);
  }

  /** How a query at `radius` would be answered, with the numbers behind the choice (sums over the shards). */
  plan(radius: number): QueryPlan {
    let plan = this.plans.get(radius);
    if (!plan) {
      checkRadius(radius);
      const parts = this.shards.map((s) => s.plan(radius));
      const first = parts[0];
      plan = parts.length === 1 ? first : {
        ...first,
        probes: parts.reduce((sum, p) => sum + p.probes, 0),
        expectedCandidates: parts.reduce((sum, p) => sum + p.expectedCandidates, 0),
        shards: parts.length,
        reason: `${parts.length} shards of up to ${this.shards[0].size} hashes, each: ${first.reason}`,
      };
      this.plans.set(radius, plan);
    }
    return plan;
  }

  /** Positions (build order) and distances of every hash within `radius`, sorted by distance then position. */
  search(hash: Uint8Array, radius: number): Hits {
    checkQuery(hash, this.bits);
    const plan = this.plan(radius);
    this.lastQueryStrategy = plan.strategy;
    if (this.shards.length === 1) return this.shards[0].searchAs(hash, plan.strategy, plan);
    return mergeHits(this.shards.map((s) => s.searchAs(hash, plan.strategy, s.plan(radius))), this.starts);
  }

  /** Every hash within `radius` by a scan of every shard, whatever the plan says (the baseline the tables are measured against). */
  scan(hash: Uint8Array, radius: number): Hits {
    checkQuery(hash, this.bits);
    checkRadius(radius);
    return mergeHits(this.shards.map((s) => s.searchAs(hash, 'linear', s.plan(radius))), this.starts);
  }

  idOf(position: number): number {
    const s = shardOf(this.starts, position);
    return this.shards[s].idOf(position - this.starts[s]);
  }

  query(hash: Uint8Array, radius: number): IndexMatch[] {
    const hits = this.search(hash, radius);
    const out: IndexMatch[] = new Array(hits.pos.length);
    for (let i = 0; i < hits.pos.length; i++) out[i] = { id: this.idOf(hits.pos[i]), distance: hits.dist[i] };
    return out;
  }

  queryMany(hashes: readonly Uint8Array[], radius: number): IndexMatch[][] {
    return hashes.map((h) => this.query(h, radius));
  }
}
