/**
 * Scan benchmark (not a test): the whole scan path (walk, piscina pool, hash, match against a
 * large PDQ list, NDJSON report) on synthetic JPEGs, with 1 and 2 workers, against the
 * decode-only floor and against hashing alone (the same pool without walk, match or report:
 * what the scan machinery itself costs); then memory over a tree of many tiny files.
 * The floor decodes at the same shrink as the scan: decodeImage with the pipeline's
 * minDecodeSide, so the same shrinkTarget (printed per corpus), on pool threads with the same
 * libvips settings (decodeOnPoolThreads). "main ms/file" is the main thread's busy time (event
 * loop utilisation): walk, matching, report; it competes with the workers for the cores.
 *
 *   node dist/bench/scan.js [--small 1000] [--large 200] [--list 1000000] [--tiny 200000]
 *                           [--workers 1,2] [--rounds 1] [--seed 1] [--pipeline fullres|fast]
 *                           [--cache DIR]
 *
 * Corpora and the list database are cached under --cache (default: $TMPDIR/hashsieve-bench-scan)
 * keyed by seed and size, so a second run starts at once. Images are the fixtures generator's
 * gradient + value noise + shapes, made at a quarter of the size and enlarged by sharp, saved as
 * JPEG quality 90; the list is `--list` random PDQ hashes (mulberry32, fixed seed). Any count may
 * be 0 to skip that part. Wall-clock figures: on a shared machine, compare ratios from one run.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { generateSource } from '../src/synthetic/images.js';
import { mulberry32 } from '../src/synthetic/prng.js';
import { startHashPool } from '../src/bench/hash-pool.js';
import { decodeShapeFor, type DecodeShape } from '../src/hash.js';
import { createFormatter } from '../src/report/formats.js';
import { fileSink } from '../src/report/sink.js';
import { emptyTotals } from '../src/report/summary.js';
import { runEngine } from '../src/scan/engine.js';
import { Matcher } from '../src/scan/matcher.js';
import { parseDuration } from '../src/cli/args.js';
import { DEFAULT_FILE_TIMEOUT } from '../src/cli/commands/scan.js';
import { ReportOutput } from '../src/scan/output.js';
import { createPool, TASKS_IN_FLIGHT_PER_WORKER } from '../src/scan/pool.js';
import { walk } from '../src/scan/walk.js';
import { shrinkTarget } from '../src/image/decode.js';
import { getSignal } from '../src/signals/registry.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PdqPipeline } from '../src/signals/types.js';
import { importList, openStore, type Store } from '../src/store/index.js';

const JPEG_QUALITY = 90;

/** CPU time of the whole process (all threads), ms: robust to other load, unlike the wall clock. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
const SOURCE_SCALE = 4;
const MEMORY_SAMPLE_MS = 250;
const SCAN_SIGNALS = ['pdq', 'sha256'];

interface Options {
  readonly small: number;
  readonly large: number;
  readonly list: number;
  readonly tiny: number;
  readonly workers: readonly number[];
  readonly rounds: number;
  readonly seed: number;
  readonly pipeline: PdqPipeline;
  readonly cache: string;
  /** The scan's hash options (the library's, with --pipeline) and the decode they make. */
  readonly hashOptions: HashOptions;
  readonly shape: DecodeShape;
}

function count(name: string, s: string, min = 0): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new Error(`Expected an integer >= ${min} for --${name} but received ${JSON.stringify(s)}`);
  return n;
}

const USAGE = `Usage: npm run bench -- scan [options]

  --small <n>      1024x768 JPEGs (default 1000)
  --large <n>      4032x3024 JPEGs (default 200)
  --list <n>       random PDQ hashes in the list matched against (default 1000000)
  --tiny <n>       tiny files for the memory run (default 200000; 0 skips it)
  --workers <a,b>  worker counts to compare (default 1,2)
  --rounds <n>     rounds; each runs every worker count, ratios are medians (default 1)
  --seed <n>       corpus seed (default 1)
  --pipeline <p>   PDQ pipeline: fast, fullres or cpp (default the library's)
  --cache <dir>    where corpora and lists are kept (default $TMPDIR/hashsieve-bench-scan)
`;

function options(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      small: { type: 'string', default: '1000' },
      large: { type: 'string', default: '200' },
      list: { type: 'string', default: '1000000' },
      tiny: { type: 'string', default: '200000' },
      workers: { type: 'string', default: '1,2' },
      rounds: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      pipeline: { type: 'string', default: DEFAULT_HASH_OPTIONS.pdqPipeline },
      cache: { type: 'string', default: join(tmpdir(), 'hashsieve-bench-scan') },
    },
  });
  if (values.help) return null;
  if (!['fast', 'fullres', 'cpp'].includes(values.pipeline)) throw new Error(`Expected fast, fullres or cpp for --pipeline`);
  const hashOptions: HashOptions = { ...DEFAULT_HASH_OPTIONS, pdqPipeline: values.pipeline as PdqPipeline };
  return {
    small: count('small', values.small),
    large: count('large', values.large),
    list: count('list', values.list),
    tiny: count('tiny', values.tiny),
    workers: values.workers.split(',').map((w) => count('workers', w, 1)),
    rounds: count('rounds', values.rounds, 1),
    seed: count('seed', values.seed),
    pipeline: values.pipeline as PdqPipeline,
    cache: values.cache,
    hashOptions,
    shape: decodeShapeFor(SCAN_SIGNALS.map((s) => getSignal(s)), hashOptions),
  };
}

/** `n` distinct JPEGs of width x height, made once and kept in the cache. */
async function corpus(o: Options, n: number, width: number, height: number): Promise<string> {
  const dir = join(o.cache, `seed${o.seed}`, `${width}x${height}`);
  mkdirSync(dir, { recursive: true });
  const have = new Set(readdirSync(dir));
  const todo = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(name(i)));
  if (todo.length > 0) process.stderr.write(`generating ${todo.length} ${width}x${height} JPEGs in ${dir} ...\n`);
  for (const i of todo) {
    const src = await generateSource(o.seed * 1_000_003 + i, Math.ceil(width / SOURCE_SCALE), Math.ceil(height / SOURCE_SCALE));
    await sharp(src).resize(width, height).jpeg({ quality: JPEG_QUALITY }).toFile(join(dir, name(i)));
  }
  const view = join(o.cache, `seed${o.seed}`, `view-${width}x${height}-${n}`);
  if (!existsSync(view)) {
    mkdirSync(`${view}.tmp`, { recursive: true });
    for (let i = 0; i < n; i++) copyFileSync(join(dir, name(i)), join(`${view}.tmp`, name(i)));
    rmSync(view, { recursive: true, force: true });
    renameSync(`${view}.tmp`, view);
  }
  return view;
}

const name = (i: number): string => `${String(i).padStart(7, '0')}.jpg`;

/** A store holding one list of `n` random PDQ hashes (cached). */
async function listDb(o: Options): Promise<{ path: string; importSeconds: number | null }> {
  const path = join(o.cache, `seed${o.seed}`, `pdq-list-${o.list}.db`);
  if (existsSync(path)) return { path, importSeconds: null };
  mkdirSync(join(o.cache, `seed${o.seed}`), { recursive: true });
  const text = `${path}.txt`;
  const rand = mulberry32(o.seed);
  const lines: string[] = [];
  for (let i = 0; i < o.list; i++) {
    let hex = '';
    for (let w = 0; w < 8; w++) hex += (Math.floor(rand() * 2 ** 32) >>> 0).toString(16).padStart(8, '0');
    lines.push(`pdq ${hex}`);
  }
  writeFileSync(text, `${lines.join('\n')}\n`);
  const store = openStore(`${path}.tmp`);
  const t0 = performance.now();
  try {
    await importList(store, text, { name: 'bench-pdq', format: 'text', sourceOrg: 'synthetic', version: String(o.seed) });
  } finally {
    store.close();
  }
  const importSeconds = (performance.now() - t0) / 1000;
  renameSync(`${path}.tmp`, path);
  rmSync(text, { force: true });
  return { path, importSeconds };
}

interface ScanRun {
  readonly files: number;
  readonly seconds: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  readonly rssSamples: number[];
  readonly mainBusyMs: number;
}

/** One full scan of `dir` through the product's engine, pool and report writer. */
async function scanOnce(dir: string, workers: number, matcher: Matcher, o: Options, sampleRss = false): Promise<ScanRun> {
  const out = join(o.cache, `report-${process.pid}.ndjson`);
  const totals = emptyTotals();
  const output = new ReportOutput({
    sink: fileSink(out, null),
    formatter: createFormatter('ndjson', { signals: SCAN_SIGNALS, qualitySignals: ['pdq'] }),
    onlyMatches: false,
    checkpoint: null,
    records: 0,
    totals,
    streaming: false,
  });
  // The CLI's default per-file timeout, so its bookkeeping is measured too.
  const pool = await createPool({ workers, fileTimeoutMs: parseDuration('--file-timeout', DEFAULT_FILE_TIMEOUT) });
  const rssSamples: number[] = [];
  let peak = 0;
  const sample = (): void => {
    const rss = process.memoryUsage.rss() / 2 ** 20;
    peak = Math.max(peak, rss);
    if (sampleRss) rssSamples.push(Math.round(rss));
  };
  const timer = setInterval(sample, MEMORY_SAMPLE_MS);
  const t0 = performance.now();
  const c0 = cpuMs();
  const elu0 = performance.eventLoopUtilization();
  try {
    await runEngine({
      // As the CLI's scan: the worker stats each file it reads (WalkOptions.lazyStat).
      items: walk([dir], { followSymlinks: false, include: [], exclude: [], maxFileSize: null, lazyStat: true }),
      hasher: pool,
      task: { signals: SCAN_SIGNALS, options: o.hashOptions, limits: {} },
      matcher,
      concurrency: workers * TASKS_IN_FLIGHT_PER_WORKER,
      output,
      done: new Set(),
      stop: new AbortController().signal,
    });
  } finally {
    clearInterval(timer);
    await output.finish(true);
    await pool.close();
    rmSync(out, { force: true });
  }
  const mainBusyMs = performance.eventLoopUtilization(elu0).active;
  sample();
  return { files: totals.files, seconds: (performance.now() - t0) / 1000, cpuMs: cpuMs() - c0, peakRssMiB: Math.round(peak), rssSamples, mainBusyMs };
}

/** The bench pool alone over the same files: decode only, or hash with the scan's signals. */
async function floor(dir: string, workers: number, shape: DecodeShape, kind: 'decode' | 'hash'): Promise<{ rate: number; cpuPerFile: number }> {
  const paths = readdirSync(dir).map((f) => join(dir, f));
  const runner = await startHashPool(paths, workers, shape);
  try {
    const c0 = cpuMs();
    const r = await runner.run({ name: kind, kind, signals: kind === 'hash' ? SCAN_SIGNALS : [] });
    return { rate: paths.length / (r.elapsedMs / 1000), cpuPerFile: (cpuMs() - c0) / paths.length };
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
  readonly hash: number | null;
  readonly hashCpu: number | null;
}

/**
 * Each round runs every worker count in turn (scan, then the decode floor, then hash-only), so
 * the ratios of a row (the scan's and the decode floor's speed-ups over the first worker count,
 * the scan against its floors) are formed within one round, minutes apart at most, and the table
 * gives the median of each ratio over the rounds: on a shared host the machine's speed drifts
 * between rounds more than within one. The floor's own speed-up bounds what the scan's can be
 * expected to reach on the host: the scan decodes every file the same way.
 */
async function throughput(label: string, dir: string, n: number, matcher: Matcher, o: Options): Promise<string[]> {
  const { shape } = o;
  const sameOptions = o.pipeline === DEFAULT_HASH_OPTIONS.pdqPipeline;
  const rounds: Map<number, Measured>[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const round = new Map<number, Measured>();
    for (const w of o.workers) {
      const run = await scanOnce(dir, w, matcher, o);
      const d = await floor(dir, w, shape, 'decode');
      const h = sameOptions ? await floor(dir, w, shape, 'hash') : null;
      round.set(w, {
        scan: run.files / run.seconds,
        scanCpu: run.cpuMs / run.files,
        mainMs: run.mainBusyMs / run.files,
        decode: d.rate,
        decodeCpu: d.cpuPerFile,
        hash: h?.rate ?? null,
        hashCpu: h?.cpuPerFile ?? null,
      });
    }
    rounds.push(round);
  }
  const fmt = (x: number | null, digits = 1): string => (x === null ? '—' : x.toFixed(digits));
  const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(0)}%`);
  return o.workers.map((w) => {
    const at = rounds.map((round) => round.get(w)!);
    const med = (f: (m: Measured) => number): number => median(at.map(f));
    const medHash = (f: (m: Measured) => number): number | null => (sameOptions ? med(f) : null);
    const speedUp = (f: (m: Measured) => number): string =>
      w === o.workers[0] ? '—' : `${median(rounds.map((round) => f(round.get(w)!) / f(round.get(o.workers[0])!))).toFixed(2)}×`;
    return `| ${label} | ${n} | ${w} | ${fmt(med((m) => m.scan))} | ${fmt(med((m) => m.decode))} | ${fmt(medHash((m) => m.hash!))} | ${speedUp((m) => m.scan)} | ${speedUp((m) => m.decode)} | ${fmt(med((m) => m.scanCpu))} | ${fmt(med((m) => m.decodeCpu))} | ${fmt(medHash((m) => m.hashCpu!))} | ${fmt(med((m) => m.mainMs), 2)} | ${pct(med((m) => m.decodeCpu / m.scanCpu))} | ${pct(medHash((m) => m.hashCpu! / m.scanCpu))} |`;
  });
}

async function tinyTree(o: Options): Promise<string> {
  const dir = join(o.cache, `tiny-${o.tiny}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  process.stderr.write(`writing ${o.tiny} tiny files in ${dir} ...\n`);
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer();
  const perDir = 1000;
  for (let i = 0; i < o.tiny; i++) {
    const sub = join(dir, String(Math.floor(i / perDir)).padStart(4, '0'));
    if (i % perDir === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${i}.png`), png);
  }
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

export async function run(argv: string[]): Promise<void> {
  const o = options(argv);
  if (o === null) {
    process.stdout.write(USAGE);
    return;
  }
  const lines: string[] = [];
  const say = (s = ''): void => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  say(`# bench scan — ${new Date().toISOString()}`);
  say(
    `machine: ${cpus()[0]?.model.trim() ?? '?'}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}, sharp ${sharp.versions.sharp ?? '?'}, libvips ${sharp.versions.vips}`,
  );
  say(`params: small=${o.small} (1024x768) large=${o.large} (4032x3024) list=${o.list} PDQ tiny=${o.tiny} workers=${o.workers.join(',')} rounds=${o.rounds} seed=${o.seed} pipeline=${o.pipeline}`);
  say();

  let matcher: Matcher | null = null;
  let store: Store | null = null;
  if (o.small > 0 || o.large > 0 || o.tiny > 0) {
    const db = o.list > 0 ? await listDb(o) : null;
    if (db) {
      store = openStore(db.path, { readonly: true });
      const t0 = performance.now();
      matcher = Matcher.build(store, { lists: ['bench-pdq'], signals: [getSignal('pdq')], thresholds: new Map([['pdq', 31]]), dihedral: false });
      say(`list: ${o.list} PDQ hashes${db.importSeconds === null ? '' : `, imported in ${db.importSeconds.toFixed(1)} s`}; loaded and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      say();
    }
  }
  const noList = { match: () => ({ status: 'clean' as const, matches: [] }) } as unknown as Matcher;
  try {
    if (o.small > 0 || o.large > 0) {
      say('Wall clock: files/s. CPU (all threads of the process): ms per file; "of decode" = decode-only CPU / scan CPU per file.');
      const { minSide, rgba } = o.shape;
      const decodedAt = (w: number, h: number): string => {
        const t = shrinkTarget(w, h, minSide, 'jpeg');
        return `${w}x${h} decoded at ${t ? `${t.width}x${t.height}` : 'full size'}`;
      };
      say(
        `Scan and floor decode alike (pdq ${o.pipeline}: minSide ${minSide ?? 'none'}, ${rgba ? 'RGBA' : 'RGB, no alpha added'}): ${decodedAt(1024, 768)}; ${decodedAt(4032, 3024)}.`,
      );
      say(`Ratios are medians over ${o.rounds} round(s) of ratios formed within a round (each round runs every worker count).`);
      say();
      say('| images | files | workers | scan files/s | decode-only files/s | hash-only files/s | scan speed-up vs 1st | decode-only speed-up vs 1st | scan CPU ms/file | decode CPU ms/file | hash CPU ms/file | main ms/file | scan at % of decode | scan at % of hash |');
      say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
      if (o.small > 0) for (const r of await throughput('1024×768 JPEG', await corpus(o, o.small, 1024, 768), o.small, matcher ?? noList, o)) say(r);
      if (o.large > 0) for (const r of await throughput('4032×3024 JPEG', await corpus(o, o.large, 4032, 3024), o.large, matcher ?? noList, o)) say(r);
      say();
    }
    if (o.tiny > 0) {
      const dir = await tinyTree(o);
      const w = o.workers[o.workers.length - 1];
      const r = await scanOnce(dir, w, matcher ?? noList, o, true);
      const at = (f: number): number => r.rssSamples[Math.min(r.rssSamples.length - 1, Math.floor(f * (r.rssSamples.length - 1)))];
      say(`memory: ${r.files} tiny files, ${w} workers, ${(r.files / r.seconds).toFixed(0)} files/s; RSS MiB at 10% / 25% / 50% / 75% / 100% of the scan: ${[0.1, 0.25, 0.5, 0.75, 1].map(at).join(' / ')} (peak ${r.peakRssMiB})`);
    }
  } finally {
    store?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench scan: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  });
}
