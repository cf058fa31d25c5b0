/**
 * The scan benchmark (`hashsieve bench scan`): the real `scan()` (walk, pool, hash, match against
 * a large PDQ list, NDJSON report) on synthetic JPEGs at each worker count, beside the decode-only
 * floor and hashing alone (the bench pool without walk, match or report, with as many files in
 * flight per thread as the scan keeps, and the decode floor also with one); then memory over a tree
 * of many tiny files. The benchmark measures by injecting a timing wrapper around the scan's own
 * hasher, so it times exactly what the scan runs, from the first file handed to the pool to the
 * last one back (index building and thread start-up excluded).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import sharp from 'sharp';
import { decodeShapeFor, type DecodeShape } from '../hash.js';
import { shrinkTarget } from '../image/decode.js';
import { createPool, TASKS_IN_FLIGHT_PER_WORKER, type Hasher, type HasherFactory } from '../scan/pool.js';
import { scan } from '../scan/scan.js';
import { getSignal } from '../signals/registry.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PdqPipeline } from '../signals/types.js';
import { importList, openStore, type StoreReader } from '../store/index.js';
import { generateSource } from '../synthetic/images.js';
import { createPrng } from '../synthetic/prng.js';
import { captureEnvironment, type Environment } from './environment.js';
import { startHashPool } from './hash-pool.js';
import { mainThreadCpuClock } from './thread-cpu.js';

export interface ScanBenchOptions {
  /** 1024x768 JPEGs, 4032x3024 JPEGs, random PDQ hashes in the list, tiny files for the memory run (0 skips). */
  readonly small: number;
  readonly large: number;
  readonly list: number;
  readonly tiny: number;
  readonly workers: readonly number[];
  readonly rounds: number;
  readonly seed: number;
  readonly pipeline: PdqPipeline;
  /** Where corpora and the list database are kept between runs. */
  readonly cache: string;
  /** The scan's per-file timeout (the CLI's default, so its bookkeeping is measured too). */
  readonly fileTimeoutMs: number;
}

const JPEG_QUALITY = 90;
const SOURCE_SCALE = 4;
const MEMORY_SAMPLE_MS = 250;
const SCAN_SIGNALS = ['pdq', 'sha256'];
const LIST_NAME = 'bench-pdq';
const PDQ_THRESHOLD = 31;

/** CPU time of the whole process (all threads), ms: robust to other load, unlike the wall clock. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const fileName = (i: number): string => `${String(i).padStart(7, '0')}.jpg`;

/** `n` distinct JPEGs of width x height, made once and kept in the cache. */
async function corpus(o: ScanBenchOptions, n: number, width: number, height: number, log: (s: string) => void): Promise<string> {
  const dir = join(o.cache, `seed${o.seed}`, `${width}x${height}`);
  mkdirSync(dir, { recursive: true });
  const have = new Set(readdirSync(dir));
  const todo = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(fileName(i)));
  if (todo.length > 0) log(`generating ${todo.length} ${width}x${height} JPEGs in ${dir} ...`);
  for (const i of todo) {
    const src = await generateSource(o.seed * 1_000_003 + i, Math.ceil(width / SOURCE_SCALE), Math.ceil(height / SOURCE_SCALE));
    await sharp(src).resize(width, height).jpeg({ quality: JPEG_QUALITY }).toFile(join(dir, fileName(i)));
  }
  const view = join(o.cache, `seed${o.seed}`, `view-${width}x${height}-${n}`);
  if (!existsSync(view)) {
    mkdirSync(`${view}.tmp`, { recursive: true });
    for (let i = 0; i < n; i++) copyFileSync(join(dir, fileName(i)), join(`${view}.tmp`, fileName(i)));
    rmSync(view, { recursive: true, force: true });
    renameSync(`${view}.tmp`, view);
  }
  return view;
}

/** A store holding one list of `n` random PDQ hashes (cached). */
async function listDb(o: ScanBenchOptions): Promise<{ path: string; importSeconds: number | null }> {
  const n = Math.max(1, o.list);
  const path = join(o.cache, `seed${o.seed}`, `pdq-list-${n}.db`);
  if (existsSync(path)) return { path, importSeconds: null };
  mkdirSync(join(o.cache, `seed${o.seed}`), { recursive: true });
  const text = `${path}.txt`;
  const prng = createPrng(o.seed);
  const hash = new Uint8Array(32);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    prng.fill(hash);
    lines.push(`pdq ${Buffer.from(hash).toString('hex')}`);
  }
  writeFileSync(text, `${lines.join('\n')}\n`);
  const store = openStore(`${path}.tmp`);
  const t0 = performance.now();
  try {
    await importList(store, text, { name: LIST_NAME, format: 'text', sourceOrg: 'synthetic', version: String(o.seed) });
  } finally {
    store.close();
  }
  const importSeconds = (performance.now() - t0) / 1000;
  renameSync(`${path}.tmp`, path);
  rmSync(text, { force: true });
  return { path, importSeconds };
}

/** What the timing hasher saw between the first file handed to it and the last one back. */
interface Window {
  files: number;
  startNs: bigint;
  endNs: bigint;
  cpuStart: number;
  cpuEnd: number;
  elu: ReturnType<typeof performance.eventLoopUtilization> | null;
  mainStart: number | null;
  /** The main thread's CPU time in the window (event-loop busy time where that clock is missing). */
  mainBusyMs: number;
}

const mainClock = mainThreadCpuClock();
/** What the main-thread figures are: its CPU time, or (no per-thread clock) its event loop's busy time. */
const MAIN_THREAD_MEASURE = mainClock.read() === null ? 'event-loop busy time' : 'CPU time';

/** The scan's own hasher (a pool), wrapped to record the measured window. */
function timingHasher(make: HasherFactory): { createHasher: HasherFactory; window: Window } {
  const w: Window = { files: 0, startNs: 0n, endNs: 0n, cpuStart: 0, cpuEnd: 0, elu: null, mainStart: null, mainBusyMs: 0 };
  const createHasher: HasherFactory = async (opts) => {
    const inner: Hasher = await make(opts);
    return {
      async hash(task) {
        if (w.elu === null) {
          w.startNs = process.hrtime.bigint();
          w.cpuStart = cpuMs();
          w.elu = performance.eventLoopUtilization();
          w.mainStart = mainClock.read();
        }
        const result = await inner.hash(task);
        w.files += 1;
        w.endNs = process.hrtime.bigint();
        w.cpuEnd = cpuMs();
        const main = w.mainStart === null ? null : mainClock.read();
        w.mainBusyMs = main === null ? performance.eventLoopUtilization(w.elu).active : main - w.mainStart!;
        return result;
      },
      stop: () => inner.stop(),
      close: () => inner.close(),
    };
  };
  return { createHasher, window: w };
}

interface ScanRun {
  readonly files: number;
  readonly seconds: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  readonly rssSamples: number[];
  readonly mainBusyMs: number;
}

const quiet = (): Writable => new Writable({ write: (_c, _e, done) => done() });

/** One full `scan()` of `dir` as the CLI runs it, timed through the hasher it hashes with. */
async function scanOnce(dir: string, workers: number, lists: { store: StoreReader; path: string }, o: ScanBenchOptions, sampleRss = false): Promise<ScanRun> {
  const out = join(o.cache, `report-${process.pid}.ndjson`);
  const timing = timingHasher(createPool);
  const rssSamples: number[] = [];
  let peak = 0;
  const sample = (): void => {
    const rss = process.memoryUsage.rss() / 2 ** 20;
    peak = Math.max(peak, rss);
    if (sampleRss) rssSamples.push(Math.round(rss));
  };
  const timer = setInterval(sample, MEMORY_SAMPLE_MS);
  const hashOptions: HashOptions = { ...DEFAULT_HASH_OPTIONS, pdqPipeline: o.pipeline };
  try {
    await scan(
      {
        inputs: [dir],
        countableInputs: null,
        walk: { followSymlinks: false, include: [], exclude: [], maxFileSize: null },
        workers,
        fileTimeoutMs: o.fileTimeoutMs,
        createHasher: timing.createHasher,
        signals: SCAN_SIGNALS.map((s) => getSignal(s)),
        hashOptions,
        limits: {},
        store: lists.store,
        dbPath: lists.path,
        lists: lists.store.lists().filter((l) => l.name === LIST_NAME),
        thresholds: new Map([['pdq', PDQ_THRESHOLD]]),
        dihedral: false,
        indexCache: join(o.cache, 'index-cache'),
        format: 'ndjson',
        out,
        onlyMatches: false,
        checkpoint: null,
        resume: false,
        summaryPath: null,
        manifestPath: null,
        progress: false,
        commandLine: ['hashsieve', 'bench', 'scan'],
        stop: new AbortController().signal,
      },
      { stdout: quiet(), stderr: quiet() },
    );
  } finally {
    clearInterval(timer);
    rmSync(out, { force: true });
  }
  sample();
  const w = timing.window;
  return {
    files: w.files,
    seconds: Number(w.endNs - w.startNs) / 1e9,
    cpuMs: w.cpuEnd - w.cpuStart,
    peakRssMiB: Math.round(peak),
    rssSamples,
    mainBusyMs: w.mainBusyMs,
  };
}

/** The bench pool alone over the same files, `perThread` files in flight per thread: decode only, or hash with the scan's signals. */
async function floor(dir: string, workers: number, shape: DecodeShape, kind: 'decode' | 'hash', perThread: number): Promise<{ rate: number; cpuPerFile: number; mainPerFile: number }> {
  const paths = readdirSync(dir).map((f) => join(dir, f));
  const runner = await startHashPool(paths, workers, shape, perThread);
  try {
    const c0 = cpuMs();
    const m0 = mainClock.read();
    const elu = performance.eventLoopUtilization();
    const r = await runner.run({ name: kind, kind, signals: kind === 'hash' ? SCAN_SIGNALS : [] });
    const m1 = m0 === null ? null : mainClock.read();
    const mainMs = m1 === null ? performance.eventLoopUtilization(elu).active : m1 - m0!;
    return { rate: paths.length / (r.elapsedMs / 1000), cpuPerFile: (cpuMs() - c0) / paths.length, mainPerFile: mainMs / paths.length };
  } finally {
    await runner.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One worker count's figures in one round. */
interface Measured {
  readonly scan: number;
  readonly scanCpu: number;
  readonly mainMs: number;
  readonly decode: number;
  readonly decodeCpu: number;
  /** The decode floor with one file in flight per thread (what the floor was before it matched the scan). */
  readonly decodeOne: number;
  readonly hash: number | null;
  readonly hashCpu: number | null;
  readonly hashMain: number | null;
}

/** One image size and worker count: medians over the rounds (ratios formed within a round). */
export interface ScanBenchRow {
  readonly images: string;
  readonly files: number;
  readonly workers: number;
  readonly scanFilesPerS: number;
  /** The floors keep as many files in flight per thread as the scan (TASKS_IN_FLIGHT_PER_WORKER). */
  readonly decodeFilesPerS: number;
  /** null when the pipeline is not the library's default (the bench pool hashes with the default). */
  readonly hashFilesPerS: number | null;
  /** The decode floor with one file in flight per thread (not the scan's policy; for comparison with older figures). */
  readonly decodeOneInFlightFilesPerS: number;
  /** Over the first worker count; null on its own row. */
  readonly scanSpeedUp: number | null;
  readonly decodeSpeedUp: number | null;
  readonly decodeOneInFlightSpeedUp: number | null;
  readonly scanCpuMsPerFile: number;
  readonly decodeCpuMsPerFile: number;
  readonly hashCpuMsPerFile: number | null;
  /** The scan's main thread per file (ScanBenchReport.mainThread says what is measured). */
  readonly mainMsPerFile: number;
  /** The hash-only floor's main thread per file (it only hands files to the pool and takes the answers). */
  readonly hashMainMsPerFile: number | null;
  /** Decode-only CPU per file over the scan's: the scan's share of the floor. */
  readonly scanShareOfDecode: number;
  /** Scan files/s over decode-only files/s (wall clock). */
  readonly scanRateOfDecode: number;
  readonly scanShareOfHash: number | null;
}

/**
 * Each round runs every worker count in turn (scan, decode floor, hash-only), so a row's ratios
 * are formed within one round; a row holds the median of each figure and ratio over the rounds.
 */
async function throughput(label: string, dir: string, n: number, lists: { store: StoreReader; path: string }, o: ScanBenchOptions, shape: DecodeShape): Promise<ScanBenchRow[]> {
  const sameOptions = o.pipeline === DEFAULT_HASH_OPTIONS.pdqPipeline;
  const rounds: Map<number, Measured>[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const round = new Map<number, Measured>();
    for (const w of o.workers) {
      const run = await scanOnce(dir, w, lists, o);
      const d = await floor(dir, w, shape, 'decode', TASKS_IN_FLIGHT_PER_WORKER);
      const h = sameOptions ? await floor(dir, w, shape, 'hash', TASKS_IN_FLIGHT_PER_WORKER) : null;
      const d1 = await floor(dir, w, shape, 'decode', 1);
      round.set(w, {
        scan: run.files / run.seconds,
        scanCpu: run.cpuMs / run.files,
        mainMs: run.mainBusyMs / run.files,
        decode: d.rate,
        decodeCpu: d.cpuPerFile,
        decodeOne: d1.rate,
        hash: h?.rate ?? null,
        hashCpu: h?.cpuPerFile ?? null,
        hashMain: h?.mainPerFile ?? null,
      });
    }
    rounds.push(round);
  }
  return o.workers.map((w): ScanBenchRow => {
    const at = rounds.map((round) => round.get(w)!);
    const med = (f: (m: Measured) => number): number => median(at.map(f));
    const medHash = (f: (m: Measured) => number): number | null => (sameOptions ? med(f) : null);
    const speedUp = (f: (m: Measured) => number): number | null =>
      w === o.workers[0] ? null : median(rounds.map((round) => f(round.get(w)!) / f(round.get(o.workers[0])!)));
    return {
      images: label,
      files: n,
      workers: w,
      scanFilesPerS: med((m) => m.scan),
      decodeFilesPerS: med((m) => m.decode),
      hashFilesPerS: medHash((m) => m.hash!),
      decodeOneInFlightFilesPerS: med((m) => m.decodeOne),
      scanSpeedUp: speedUp((m) => m.scan),
      decodeSpeedUp: speedUp((m) => m.decode),
      decodeOneInFlightSpeedUp: speedUp((m) => m.decodeOne),
      scanCpuMsPerFile: med((m) => m.scanCpu),
      decodeCpuMsPerFile: med((m) => m.decodeCpu),
      hashCpuMsPerFile: medHash((m) => m.hashCpu!),
      mainMsPerFile: med((m) => m.mainMs),
      hashMainMsPerFile: medHash((m) => m.hashMain!),
      scanShareOfDecode: med((m) => m.decodeCpu / m.scanCpu),
      scanRateOfDecode: med((m) => m.scan / m.decode),
      scanShareOfHash: medHash((m) => m.hashCpu! / m.scanCpu),
    };
  });
}

async function tinyTree(o: ScanBenchOptions, log: (s: string) => void): Promise<string> {
  const dir = join(o.cache, `tiny-${o.tiny}`);
  if (existsSync(`${dir}.complete`)) return dir;
  log(`writing ${o.tiny} tiny files in ${dir} ...`);
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer();
  const perDir = 1000;
  for (let i = 0; i < o.tiny; i++) {
    const sub = join(dir, String(Math.floor(i / perDir)).padStart(4, '0'));
    if (i % perDir === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${i}.png`), png);
  }
  writeFileSync(`${dir}.complete`, '');
  return dir;
}

export interface ScanBenchReport {
  readonly startedAt: string;
  readonly environment: Environment;
  readonly options: ScanBenchOptions;
  /** Files in flight per pool thread, in the scan and in its floors. */
  readonly inFlightPerThread: number;
  /** What the main-thread columns measure: its CPU time (Linux), or its event loop's busy time. */
  readonly mainThread: string;
  /** The list matched against, and how long its import took when it was not cached. */
  readonly list: { readonly entries: number; readonly importSeconds: number | null; readonly indexCache: string } | null;
  /** How the scan and the floor decode (the pipeline's shrink and channels), and what that gives for each size. */
  readonly decode: { readonly minSide: number | null; readonly rgba: boolean; readonly sizes: readonly { size: string; decodedAt: string }[] };
  readonly rows: readonly ScanBenchRow[];
  readonly memory: {
    readonly files: number;
    readonly workers: number;
    readonly filesPerS: number;
    /** RSS MiB at 10, 25, 50, 75 and 100 % of the scan. */
    readonly rssMiB: readonly number[];
    readonly peakRssMiB: number;
  } | null;
}

/** Runs the benchmark; `log` gets progress notes. */
export async function runScanBench(o: ScanBenchOptions, log: (line: string) => void): Promise<ScanBenchReport> {
  const shape = decodeShapeFor(SCAN_SIGNALS.map((s) => getSignal(s)), { ...DEFAULT_HASH_OPTIONS, pdqPipeline: o.pipeline });
  const startedAt = new Date().toISOString();
  const environment = await captureEnvironment();
  const decodedAt = (w: number, h: number): { size: string; decodedAt: string } => {
    const t = shrinkTarget(w, h, shape.minSide, 'jpeg');
    return { size: `${w}x${h}`, decodedAt: t ? `${t.width}x${t.height}` : 'full size' };
  };
  const base = {
    startedAt,
    environment,
    options: o,
    inFlightPerThread: TASKS_IN_FLIGHT_PER_WORKER,
    mainThread: MAIN_THREAD_MEASURE,
    decode: { minSide: shape.minSide, rgba: shape.rgba, sizes: [decodedAt(1024, 768), decodedAt(4032, 3024)] },
  };
  if (o.small === 0 && o.large === 0 && o.tiny === 0) return { ...base, list: null, rows: [], memory: null };

  const db = await listDb(o);
  const store = openStore(db.path, { readonly: true });
  const lists = { store, path: db.path };
  const rows: ScanBenchRow[] = [];
  let memory: ScanBenchReport['memory'] = null;
  try {
    if (o.small > 0) rows.push(...(await throughput('1024×768 JPEG', await corpus(o, o.small, 1024, 768, log), o.small, lists, o, shape)));
    if (o.large > 0) rows.push(...(await throughput('4032×3024 JPEG', await corpus(o, o.large, 4032, 3024, log), o.large, lists, o, shape)));
    if (o.tiny > 0) {
      const dir = await tinyTree(o, log);
      const w = o.workers[o.workers.length - 1];
      const r = await scanOnce(dir, w, lists, o, true);
      const at = (f: number): number => r.rssSamples[Math.min(r.rssSamples.length - 1, Math.floor(f * (r.rssSamples.length - 1)))];
      memory = { files: r.files, workers: w, filesPerS: r.files / r.seconds, rssMiB: [0.1, 0.25, 0.5, 0.75, 1].map(at), peakRssMiB: r.peakRssMiB };
    }
  } finally {
    store.close();
  }
  return { ...base, list: { entries: Math.max(1, o.list), importSeconds: db.importSeconds, indexCache: join(o.cache, 'index-cache') }, rows, memory };
}
