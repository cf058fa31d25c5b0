/**
 * Matching benchmark: MultiIndexHash vs LinearIndex on the same random list and queries, one thread.
 *
 *   node dist/bench/match.js [--sizes 100k,1M] [--bits 256,64] [--queries 10000] [--seed 1]
 *                            [--segments 11,16] [--linear-queries N] [--cache]
 *
 * Queries: 90% uniformly random, 10% list entries with 0..24 bits flipped. Radius 31 at 256 bits,
 * 10 at 64 bits. Times are CPU seconds of this process (the figures a quiet machine would
 * show, roughly; CPU time counts every thread, so the build's garbage is collected before the
 * queries are timed), with wall-clock queries/s beside them. LinearIndex runs on the first --linear-queries queries (default: as many as fit
 * about 15 s) and both indexes must return identical results on those.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCount, parseEnum, parseList, parseSeed } from '../src/cli/args.js';
import { LinearIndex, type Popcount } from '../src/search/linear.js';
import { MultiIndexHash } from '../src/search/mih.js';
import { flippedCopy, hashAt, randomBytes, randomPacked } from '../src/synthetic/hashes.js';
import { createPrng, type Prng } from '../src/synthetic/prng.js';
import type { HammingIndex, PackedHashes } from '../src/search/types.js';

const RADIUS: Record<number, number> = { 256: 31, 64: 10 };
const RANDOM_QUERY_SHARE = 0.9;
const MAX_FLIPS = 24;
const LINEAR_BUDGET_HASHES = 5e9;
const MIB = 2 ** 20;

interface Options {
  sizes: number[];
  bits: number[];
  queries: number;
  seed: number;
  segments: (number | undefined)[];
  linearQueries: number | undefined;
  cache: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '100k,1M' },
      bits: { type: 'string', default: '256,64' },
      queries: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      segments: { type: 'string', default: 'auto' },
      'linear-queries': { type: 'string' },
      cache: { type: 'boolean', default: false },
    },
  });
  return {
    sizes: parseList('--sizes', values.sizes).map((n) => parseCount('--sizes', n)),
    bits: parseList('--bits', values.bits).map((b) => parseEnum('--bits', b, [256, 64])),
    queries: parseCount('--queries', values.queries),
    seed: parseSeed('--seed', values.seed),
    segments: parseList('--segments', values.segments).map((s) => (s === 'auto' ? undefined : parseCount('--segments', s))),
    linearQueries: values['linear-queries'] === undefined ? undefined : parseCount('--linear-queries', values['linear-queries']),
    cache: values.cache,
  };
}

function makeQueries(rand: Prng, packed: PackedHashes, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    if (rand.float() < RANDOM_QUERY_SHARE) out.push(randomBytes(rand, packed.bits / 8));
    else out.push(flippedCopy(rand, hashAt(packed, Math.floor(rand.float() * packed.count)), Math.floor(rand.float() * (MAX_FLIPS + 1))));
  }
  return out;
}

/** Seconds of wall clock and of this process's CPU time (the machine may be shared). */
function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function timeQueries(index: HammingIndex, queries: Uint8Array[], radius: number): { qps: number; wallQps: number; results: string[] } {
  const { value: results, wall, cpu } = timed(() => queries.map((q) => index.query(q, radius).map((m) => `${m.id}:${m.distance}`).join(',')));
  return { qps: queries.length / cpu, wallQps: queries.length / wall, results };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sizeLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Build time vs writing the index to a cache file and restoring it (warm page cache). */
function measureCache(index: MultiIndexHash, build: { wall: number; cpu: number }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-bench-'));
  try {
    const file = join(dir, 'index.bin');
    const written = timed(() => {
      const fd = openSync(file, 'w');
      let bytes = 0;
      for (const chunk of index.serialize('bench')) bytes += writeSync(fd, chunk);
      closeSync(fd);
      return bytes;
    });
    const restored = timed(() => {
      const fd = openSync(file, 'r');
      try {
        return MultiIndexHash.restore((dst) => {
          for (let done = 0; done < dst.length; ) {
            const n = readSync(fd, dst, done, Math.min(dst.length - done, 2 ** 30), null);
            if (n === 0) throw new Error('cache file truncated');
            done += n;
          }
        }, 'bench');
      } finally {
        closeSync(fd);
      }
    });
    if (!restored.value || restored.value.size !== index.size) throw new Error('cache restore failed');
    const s = (t: { wall: number; cpu: number }) => `${fmt(t.cpu, 2)} s CPU / ${fmt(t.wall, 2)} s wall`;
    return (
      `cache: ${fmt(written.value / MIB)} MiB file; write ${s(written)}; restore ${s(restored)} (warm page cache); ` +
      `build ${s(build)}; build/restore CPU ${fmt(build.cpu / restored.cpu, 1)}×, wall ${fmt(build.wall / restored.wall, 1)}×`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOne(o: Options, bits: number, n: number, segments: number | undefined): Promise<void> {
  const radius = RADIUS[bits];
  const rand = createPrng(o.seed * 1000 + bits);
  const packed = randomPacked(rand, bits, n);
  const queries = makeQueries(rand, packed, o.queries);
  const linearCount = Math.min(o.queries, o.linearQueries ?? Math.max(100, Math.round(LINEAR_BUDGET_HASHES / n / (bits / 64))));
  gc();

  const built = timed(() => MultiIndexHash.build(packed, { segments, radius }));
  let mih: MultiIndexHash | null = built.value;
  const mihBuild = built.cpu;
  const mihMemory = mih.memoryBytes;
  const plan = mih.plan(radius);
  gc();
  const widths = `${mih.widths.join(',')} (${mih.entries} entries)`;
  const fast = timeQueries(mih, queries, radius);
  const cacheLine = o.cache ? measureCache(mih, built) : null;
  mih = null;
  gc();

  const linearRows: { popcount: Popcount; build: number; memory: number; qps: number; wallQps: number; queries: number; mismatches: number }[] = [];
  for (const popcount of ['wasm', 'js'] as const) {
    const count = popcount === 'js' ? Math.max(20, Math.round(linearCount / 8)) : linearCount;
    const linearBuilt = timed(() => LinearIndex.build(packed, { popcount }));
    let linear: LinearIndex | null = linearBuilt.value;
    const build = linearBuilt.cpu;
    const subset = queries.slice(0, count);
    const slow = timeQueries(linear, subset, radius);
    const mismatches = slow.results.filter((r, i) => r !== fast.results[i]).length;
    linearRows.push({ popcount, build, memory: linear.memoryBytes, qps: slow.qps, wallQps: slow.wallQps, queries: count, mismatches });
    linear = null;
    gc();
  }

  const matched = fast.results.filter((r) => r.length > 0).length;
  console.log(
    `\n${bits}-bit, N=${sizeLabel(n)}, radius ${radius}, ${o.queries} queries (${matched} with matches); ` +
      `MIH widths ${widths}: ${fmt(plan.probes)} probes and ~${fmt(plan.expectedCandidates)} candidates per query, ${plan.strategy}`,
  );
  console.log('| index | build s (CPU) | index MiB | queries/s (CPU) | queries/s (wall) | queries timed | vs LinearIndex (wasm) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const base = linearRows[0].qps;
  console.log(
    `| MultiIndexHash | ${fmt(mihBuild, 2)} | ${fmt(mihMemory / MIB)} | ${fmt(fast.qps)} | ${fmt(fast.wallQps)} | ${o.queries} | ${fmt(fast.qps / base, 1)}× |`,
  );
  for (const r of linearRows) {
    console.log(
      `| LinearIndex (${r.popcount} popcount) | ${fmt(r.build, 2)} | ${fmt(r.memory / MIB)} | ${fmt(r.qps, 1)} | ${fmt(r.wallQps, 1)} | ${r.queries} | ${fmt(r.qps / base, 2)}× |`,
    );
  }
  for (const r of linearRows) {
    if (r.mismatches > 0) console.log(`MISMATCH: LinearIndex (${r.popcount}) differs from MultiIndexHash on ${r.mismatches} queries`);
  }
  console.log(`results identical on the ${linearRows[0].queries} queries LinearIndex ran; rss ${fmt(process.memoryUsage().rss / MIB)} MiB`);
  if (cacheLine) console.log(cacheLine);
}

export async function run(argv: string[]): Promise<void> {
  const o = options(argv);
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `bench/match: node ${process.version}, ${cpu}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB RAM, ` +
      `load average ${loadavg().map((l) => fmt(l, 1)).join(' ')}, seed ${o.seed}`,
  );
  console.log('Times are this process\'s CPU seconds (steady on a shared machine); wall-clock queries/s beside them.');
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run node with --expose-gc for steadier memory figures)');
  for (const bits of o.bits) for (const n of o.sizes) for (const s of o.segments) await runOne(o, bits, n, s);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  });
}
