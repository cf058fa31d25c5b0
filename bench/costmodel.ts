/**
 * The index cost model against the clock: for each list size, the tables of one or more segment
 * layouts and a linear scan are timed alternately in the same process (interleaved rounds, CPU
 * time), and each round's ratio tables/scan is kept, so load on a shared host cancels out.
 *
 *   node --expose-gc dist/bench/costmodel.js [--sizes 10k,100k,1M] [--layouts old,new] [--sweep new]
 *        [--radii 31,40,48,56,64,72,80,96] [--tune-radius 31] [--rounds 5] [--block-ms 40] [--seed 1]
 *        [--scan linear|index] [--shard-bytes 2GiB] [--save results.json]
 *   node dist/bench/costmodel.js --fit results.json [more.json ...]
 *
 * Layouts: `old` and `new` (the layout the 2026-11-28 and the current prices pick at the tuning
 * radius), `mN` (the current prices' best layout with N segments), or widths like `16x16` or
 * `22,22,21,21,17x10`, optionally with `:plain` or `:sieved`. Layouts named in --sweep are timed
 * at every radius of --radii (until both query mixes are over --stop-ratio times the scan); the
 * others at the tuning radius only. Query mixes: uniformly random hashes, and list entries with
 * 0..r bits flipped; `mix` is 90% random, 10% near (bench match's default).
 * With --fit, the saved rows are fitted to the model's form (relative least squares) and the
 * fitted prices printed with the choice each set of prices makes against the measurement.
 * Lists whose index outgrows one WebAssembly memory are split into shards as the library does;
 * layouts are then chosen for one shard's size, and `--scan index` times the scan on the index's
 * own shards instead of a separate LinearIndex (one copy of the hashes fewer, for the largest lists).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCount, parseList, parseSeed, parseSize } from '../src/cli/args.js';
import { LinearIndex } from '../src/search/linear.js';
import {
  chooseEntries,
  chooseLayout,
  COST_MODEL,
  COST_MODEL_2026_11_28,
  layoutWork,
  MultiIndexHash,
  scanCostNs,
  shardLayout,
  tablesCostNs,
  type CostModel,
  type EntryKind,
  type Layout,
  type LayoutWork,
} from '../src/search/mih.js';
import { flippedCopy, hashAt, randomBytes, randomPacked } from '../src/synthetic/hashes.js';
import { createPrng, deriveSeed } from '../src/synthetic/prng.js';
import type { Hits } from '../src/search/arena.js';
import type { PackedHashes } from '../src/search/types.js';

const POOL = 256;
const NEAR_SHARE = 0.1;
const CHECK_QUERIES = 4;
const MIB = 2 ** 20;

interface Options {
  sizes: number[];
  bits: number;
  layouts: string[];
  sweep: Set<string>;
  radii: number[];
  tuneRadius: number;
  rounds: number;
  blockMs: number;
  stopRatio: number;
  seed: number;
  save: string | undefined;
  fit: string[];
  scanOnIndex: boolean;
  /** Memory one shard may take (absent: the library's default). */
  shardBytes: number | undefined;
}

/** One measured (size, layout, radius): medians of in-round ratios tables/scan. */
export interface CostRow {
  n: number;
  bits: number;
  layout: string;
  /** Shards the list was split into (absent: one); `work` and the model's ratio are per shard. */
  shards?: number;
  widths: number[];
  entries: EntryKind;
  radius: number;
  work: LayoutWork;
  /** Medians over rounds of tables ns / scan ns, per query mix; null when the tables could not run. */
  ratio: { random: number; near: number; mix: number } | null;
  /** First and third quartiles of the mix ratio over rounds. */
  mixSpread: [number, number] | null;
  /** Medians of CPU ns per query (absolute: these move with host load). */
  tablesNs: number | null;
  scanNs: number;
  rounds: number;
  note: string;
}

function options(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sizes: { type: 'string', default: '10k,100k,1M' },
      bits: { type: 'string', default: '256' },
      layouts: { type: 'string', default: 'old,new' },
      sweep: { type: 'string', default: 'new' },
      radii: { type: 'string', default: '31,40,48,56,64,72,80,96' },
      'tune-radius': { type: 'string', default: '31' },
      rounds: { type: 'string', default: '5' },
      'block-ms': { type: 'string', default: '40' },
      'stop-ratio': { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      save: { type: 'string' },
      fit: { type: 'boolean', default: false },
      scan: { type: 'string', default: 'linear' },
      'shard-bytes': { type: 'string' },
    },
  });
  return {
    sizes: parseList('--sizes', values.sizes).map((s) => parseCount('--sizes', s)),
    bits: parseCount('--bits', values.bits),
    layouts: parseList('--layouts', values.layouts),
    sweep: new Set(parseList('--sweep', values.sweep)),
    radii: parseList('--radii', values.radii).map((r) => parseCount('--radii', r, 0)),
    tuneRadius: parseCount('--tune-radius', values['tune-radius'], 0),
    rounds: parseCount('--rounds', values.rounds),
    blockMs: parseCount('--block-ms', values['block-ms']),
    stopRatio: Number(values['stop-ratio']),
    seed: parseSeed('--seed', values.seed),
    save: values.save,
    fit: values.fit ? positionals : [],
    scanOnIndex: parseScan(values.scan),
    shardBytes: values['shard-bytes'] === undefined ? undefined : parseSize('--shard-bytes', values['shard-bytes']),
  };
}

function parseScan(value: string): boolean {
  if (value !== 'linear' && value !== 'index') throw new Error(`Expected --scan linear or index but received ${value}`);
  return value === 'index';
}

/** The widths and entry kind a layout name stands for at this size. */
function resolveLayout(spec: string, bits: number, n: number, radius: number): Layout {
  const [name, kind] = spec.split(':') as [string, EntryKind | undefined];
  let widths: number[];
  if (name === 'old') {
    const l = chooseLayout(bits, n, radius, undefined, kind, COST_MODEL_2026_11_28);
    return { widths: l.widths, entries: kind ?? l.entries };
  } else if (name === 'new') {
    const l = chooseLayout(bits, n, radius, undefined, kind, COST_MODEL);
    return { widths: l.widths, entries: kind ?? l.entries };
  } else if (/^m\d+$/.test(name)) {
    const l = chooseLayout(bits, n, radius, Number(name.slice(1)), kind, COST_MODEL);
    return { widths: l.widths, entries: kind ?? l.entries };
  } else {
    widths = name.split(',').flatMap((part) => {
      const [w, times] = part.split('x').map(Number);
      return Array(times ?? 1).fill(w) as number[];
    });
    if (widths.reduce((a, b) => a + b, 0) !== bits || widths.some((w) => !Number.isInteger(w))) throw new Error(`layout ${spec} does not sum to ${bits} bits`);
  }
  return { widths, entries: kind ?? chooseEntries(bits, n, radius, widths) };
}

const layoutLabel = (l: Layout) => {
  const runs: string[] = [];
  for (let i = 0; i < l.widths.length; ) {
    let j = i;
    while (j < l.widths.length && l.widths[j] === l.widths[i]) j++;
    runs.push(j - i > 1 ? `${l.widths[i]}x${j - i}` : String(l.widths[i]));
    i = j;
  }
  return `${runs.join(',')}:${l.entries}`;
};

/** CPU nanoseconds of this process (all threads; the garbage collector runs between blocks). */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Mean CPU ns per query over `count` queries of `pool`, starting at `from`. */
function timeBlock(query: (q: Uint8Array) => unknown, pool: Uint8Array[], from: number, count: number): number {
  const t0 = cpuNs();
  for (let i = 0; i < count; i++) query(pool[(from + i) % pool.length]);
  return (cpuNs() - t0) / count;
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
}

interface Pools {
  random: Uint8Array[];
  near: Uint8Array[];
}

function pools(list: PackedHashes, radius: number, seed: number): Pools {
  const rand = createPrng(deriveSeed(seed, 'queries', list.bits, list.count, radius));
  const random = Array.from({ length: POOL }, () => randomBytes(rand, list.bits / 8));
  const near = Array.from({ length: POOL }, () => flippedCopy(rand, hashAt(list, rand.below(list.count)), rand.below(radius + 1)));
  return { random, near };
}

/** A scan of the whole list: a LinearIndex, or the index's own shards (`--scan index`). */
type Scan = (q: Uint8Array, radius: number) => Hits;

function sameAnswers(a: MultiIndexHash, scan: Scan, qs: Uint8Array[], radius: number): boolean {
  const text = (h: Hits) => Array.from(h.pos, (p, i) => `${p}:${h.dist[i]}`).join(',');
  return qs.every((q) => text(a.search(q, radius)) === text(scan(q, radius)));
}

/** Rounds alternating scan and tables blocks on the same queries; the block order flips every round. */
function measure(mih: MultiIndexHash, linear: Scan, p: Pools, radius: number, o: Options, scanGuess: number): Omit<CostRow, 'n' | 'bits' | 'layout' | 'widths' | 'entries' | 'radius' | 'work'> {
  const tables = (q: Uint8Array) => mih.search(q, radius);
  const scan = (q: Uint8Array) => linear(q, radius);
  const one = timeBlock(tables, p.random, 0, 1);
  const tablesGuess = Math.max(timeBlock(tables, p.random, 1, Math.max(1, Math.min(POOL, Math.round((o.blockMs * 1e6) / 8 / one)))), 1);
  if (tablesGuess > o.stopRatio * 2 * scanGuess) {
    return { ratio: { random: tablesGuess / scanGuess, near: NaN, mix: tablesGuess / scanGuess }, mixSpread: null, tablesNs: tablesGuess, scanNs: scanGuess, rounds: 0, note: 'one calibration block only (far slower than the scan)' };
  }
  const blockMs = o.blockMs * 1e6;
  const nScan = Math.max(1, Math.round(blockMs / scanGuess));
  const nTables = Math.max(1, Math.round(blockMs / tablesGuess));
  const ratios = { random: [] as number[], near: [] as number[], mix: [] as number[] };
  const abs = { tables: [] as number[], scan: [] as number[] };
  for (let r = 0; r < o.rounds; r++) {
    const per: Record<'random' | 'near', [number, number]> = { random: [0, 0], near: [0, 0] };
    for (const mix of ['random', 'near'] as const) {
      const from = (r * 37) % POOL;
      gc();
      let s: number;
      let t: number;
      if (r % 2 === 0) {
        s = timeBlock(scan, p[mix], from, nScan);
        t = timeBlock(tables, p[mix], from, nTables);
      } else {
        t = timeBlock(tables, p[mix], from, nTables);
        s = timeBlock(scan, p[mix], from, nScan);
      }
      per[mix] = [t, s];
      ratios[mix].push(t / s);
    }
    const t = (1 - NEAR_SHARE) * per.random[0] + NEAR_SHARE * per.near[0];
    const s = (1 - NEAR_SHARE) * per.random[1] + NEAR_SHARE * per.near[1];
    ratios.mix.push(t / s);
    abs.tables.push(t);
    abs.scan.push(s);
  }
  return {
    ratio: { random: median(ratios.random), near: median(ratios.near), mix: median(ratios.mix) },
    mixSpread: [quantile(ratios.mix, 0.25), quantile(ratios.mix, 0.75)],
    tablesNs: median(abs.tables),
    scanNs: median(abs.scan),
    rounds: o.rounds,
    note: '',
  };
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sizeLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const load = () => loadavg().map((l) => fmt(l, 2)).join(' ');

/** Hashes in one shard of a row's list (the model prices a sharded query as that many shards of this size). */
const shardN = (r: CostRow) => r.n / (r.shards ?? 1);

function printRow(r: CostRow): void {
  const old = tablesCostNs(r.work, r.entries, COST_MODEL_2026_11_28) / scanCostNs(r.bits, shardN(r), COST_MODEL_2026_11_28);
  const cur = tablesCostNs(r.work, r.entries, COST_MODEL) / scanCostNs(r.bits, shardN(r), COST_MODEL);
  const m = r.ratio;
  console.log(
    `| ${sizeLabel(r.n)} | ${r.layout} | ${r.radius} | ${fmt(r.work.probes)} | ${fmt(r.work.candidates)} | ` +
      `${m ? fmt(m.random, 4) : '—'} | ${m ? fmt(m.near, 4) : '—'} | ${m ? fmt(m.mix, 4) : '—'} | ${r.mixSpread ? `${fmt(r.mixSpread[0], 4)}–${fmt(r.mixSpread[1], 4)}` : '—'} | ` +
      `${fmt(old, 4)} | ${fmt(cur, 4)} | ${r.tablesNs === null ? '—' : fmt(r.tablesNs / 1000, 1)} | ${fmt(r.scanNs / 1000, 1)} | ${r.note} |`,
  );
}

async function measureSize(o: Options, n: number, rows: CostRow[]): Promise<void> {
  const { bits } = o;
  const started = Date.now();
  const list = randomPacked(createPrng(deriveSeed(o.seed, 'list', bits, n)), bits, n);
  const generatedS = (Date.now() - started) / 1000;
  const perShard = shardLayout(bits, n, o.tuneRadius, { maxShardBytes: o.shardBytes }).counts[0];
  const linear = o.scanOnIndex ? null : LinearIndex.build(list);
  let mih: MultiIndexHash | null = null;
  const scan: Scan = (q, r) => (linear ? linear.search(q, r) : mih!.scan(q, r));
  const poolsByRadius = new Map<number, Pools>();
  const poolsAt = (r: number) => {
    let p = poolsByRadius.get(r);
    if (!p) poolsByRadius.set(r, (p = pools(list, r, o.seed)));
    return p;
  };
  for (const r of [o.tuneRadius, ...o.radii]) poolsAt(r);
  const scanGuess = new Map<number, number>();
  const scanAt = (r: number) => {
    let s = scanGuess.get(r);
    if (s === undefined) {
      const p = poolsAt(r).random;
      const probe = timeBlock((q) => scan(q, r), p, 0, 1);
      s = timeBlock((q) => scan(q, r), p, 1, Math.max(1, Math.round((o.blockMs * 1e6) / 4 / probe)));
      scanGuess.set(r, s);
    }
    return s;
  };
  const byLabel = new Map<string, { layout: Layout; names: string[]; sweep: boolean }>();
  for (const spec of o.layouts) {
    const layout = resolveLayout(spec, bits, perShard, o.tuneRadius);
    const entry = byLabel.get(layoutLabel(layout)) ?? { layout, names: [], sweep: false };
    entry.names.push(spec);
    entry.sweep ||= o.sweep.has(spec);
    byLabel.set(layoutLabel(layout), entry);
  }
  console.log(`\n### N = ${sizeLabel(n)} (${bits}-bit${perShard < n ? `, shards of up to ${sizeLabel(perShard)}` : ''}), load average ${load()}, list generated in ${fmt(generatedS, 1)} s`);
  console.log('| N | layout | r | probes | candidates | tables/scan random | near | mix (90/10) | mix q1–q3 | old model | current model | tables µs | scan µs | note |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |');
  for (const [label, { layout, names, sweep }] of byLabel) {
    const spec = names.join('/');
    gc();
    const c0 = cpuNs();
    const w0 = Date.now();
    mih = MultiIndexHash.build(list, { radius: o.tuneRadius, widths: layout.widths, entries: layout.entries, strategy: 'mih', maxShardBytes: o.shardBytes });
    const buildS = (cpuNs() - c0) / 1e9;
    const buildWallS = (Date.now() - w0) / 1000;
    const shards = mih.shardSizes.length;
    const check = [...poolsAt(o.tuneRadius).near.slice(0, CHECK_QUERIES), ...poolsAt(o.tuneRadius).random.slice(0, CHECK_QUERIES)];
    const ok = sameAnswers(mih, scan, check, o.tuneRadius);
    const built = `build ${fmt(buildS, 1)} s CPU, ${fmt(buildWallS, 1)} s wall, ${fmt(mih.memoryBytes / MIB)} MiB (${fmt(mih.memoryBytes / n, 1)} B/hash)${shards > 1 ? ` in ${shards} shards` : ''}`;
    for (const radius of sweep ? o.radii : [o.tuneRadius]) {
      const work = layoutWork(layout.widths, mih.shardSizes[0], radius);
      const base = { n, bits, layout: `${spec}=${label}${shards > 1 ? ` ×${shards}` : ''}`, shards, widths: layout.widths, entries: layout.entries, radius, work };
      if (mih.plan(radius).strategy !== 'mih') {
        const row: CostRow = { ...base, ratio: null, mixSpread: null, tablesNs: null, scanNs: scanAt(radius), rounds: 0, note: mih.plan(radius).reason };
        rows.push(row);
        printRow(row);
        break;
      }
      const m = measure(mih, scan, poolsAt(radius), radius, o, scanAt(radius));
      const row: CostRow = { ...base, ...m, note: [m.note, radius === o.tuneRadius ? `${built}${ok ? '' : ', ANSWERS DIFFER'}` : ''].filter(Boolean).join('; ') };
      rows.push(row);
      printRow(row);
      if (m.ratio && Math.min(m.ratio.random, Number.isNaN(m.ratio.near) ? Infinity : m.ratio.near) > o.stopRatio) break;
      if (m.rounds === 0) break;
    }
    console.log(`(${spec}: ${built})`);
    if (!ok) process.exitCode = 2;
    mih = null;
    gc();
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(`(N = ${sizeLabel(n)}: ${fmt((Date.now() - started) / 1000)} s wall, load average ${load()}, rss ${fmt(process.memoryUsage().rss / MIB)} MiB, peak rss ${fmt(peak / MIB)} MiB)`);
}

/** Prices fitted to measured rows: relative least squares on the tables' ns against the scan's, with non-negative prices. */
export function fitCostModel(rows: readonly CostRow[], start: CostModel = COST_MODEL): CostModel {
  const keys = ['probeNs', 'probeNsPerExtraBit', 'candidateNs', 'sievePassNs', 'missNs', 'sievedBucketNs', 'sievedEntryNs', 'tableNs', 'tablesQueryNs'] as const;
  const usable = rows.filter((r) => r.ratio && r.rounds > 0 && Number.isFinite(r.ratio.mix));
  const design = usable.map((r) => {
    const w = layoutWork(r.widths, shardN(r), r.radius, start);
    const plain = r.entries === 'plain';
    const words = shardN(r) * Math.ceil(r.bits / 64);
    const ratio = r.ratio!.mix;
    const target = ratio * (words * start.scanNsPerWord + start.scanQueryNs);
    const loads = plain ? w.candidates : w.buckets + w.sievePassed;
    const x = [w.probes, w.extraBitProbes, plain ? w.candidates : 0, plain ? 0 : w.sievePassed, loads * w.miss, plain ? 0 : w.buckets, plain ? 0 : w.candidates, w.tables, 1];
    return { x: x.map((v) => v / target), y: 1 };
  });
  let active = keys.map(() => true);
  let coef = keys.map(() => 0);
  for (let iter = 0; iter < keys.length; iter++) {
    const idx = keys.map((_, i) => i).filter((i) => active[i]);
    const sol = leastSquares(design.map((d) => idx.map((i) => d.x[i])), design.map((d) => d.y));
    coef = keys.map(() => 0);
    idx.forEach((i, k) => (coef[i] = sol[k]));
    const negative = coef.findIndex((c, i) => active[i] && c < 0);
    if (negative < 0) break;
    active = active.map((a, i) => a && i !== negative);
  }
  const out: Record<string, number> = { ...start };
  keys.forEach((k, i) => (out[k] = coef[i]));
  return out as unknown as CostModel;
}

/** Solve min |Ax - y|^2 by the normal equations (a handful of unknowns). */
function leastSquares(a: number[][], y: number[]): number[] {
  const k = a[0]?.length ?? 0;
  const m = Array.from({ length: k }, (_, i) => [...Array.from({ length: k }, (_, j) => a.reduce((s, row) => s + row[i] * row[j], 0)), a.reduce((s, row, r) => s + row[i] * y[r], 0)]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    if (Math.abs(m[c][c]) < 1e-18) continue;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => (Math.abs(row[i]) < 1e-18 ? 0 : row[k] / row[i]));
}

/** Model ratio tables/scan for a row under some prices. */
export function modelRatio(r: CostRow, cost: CostModel): number {
  return tablesCostNs(layoutWork(r.widths, shardN(r), r.radius, cost), r.entries, cost) / scanCostNs(r.bits, shardN(r), cost);
}

function printFit(files: string[]): void {
  const rows = files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { rows: CostRow[] }).rows);
  const perWord = median(rows.filter((r) => r.scanNs > 0).map((r) => r.scanNs / (r.n * Math.ceil(r.bits / 64))));
  console.log(`scan: median ${fmt(perWord, 3)} CPU ns per 64-bit word over ${rows.length} rows`);
  const fitted = fitCostModel(rows, { ...COST_MODEL, scanNsPerWord: perWord, scanQueryNs: 0 });
  console.log('fitted prices:', JSON.stringify(fitted));
  console.log('| N | layout | r | measured mix | old model | current | fitted |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    if (!r.ratio) continue;
    console.log(`| ${sizeLabel(r.n)} | ${r.layout} | ${r.radius} | ${fmt(r.ratio.mix, 4)} | ${fmt(modelRatio(r, COST_MODEL_2026_11_28), 4)} | ${fmt(modelRatio(r, COST_MODEL), 4)} | ${fmt(modelRatio(r, fitted), 4)} |`);
  }
}

export async function run(argv: string[]): Promise<void> {
  const o = options(argv);
  if (o.fit.length > 0) return printFit(o.fit);
  console.log(
    `bench/costmodel: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB RAM, ` +
      `seed ${o.seed}, ${o.rounds} rounds, blocks of ~${o.blockMs} ms CPU, tuning radius ${o.tuneRadius}, started ${new Date().toISOString()}, load average ${load()}`,
  );
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run node with --expose-gc: garbage is then collected outside the timed blocks)');
  const rows: CostRow[] = [];
  for (const n of o.sizes) {
    await measureSize(o, n, rows);
    if (o.save) writeFileSync(o.save, JSON.stringify({ argv, date: new Date().toISOString(), loadavg: loadavg(), rows }, null, 1));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 2;
  });
}
