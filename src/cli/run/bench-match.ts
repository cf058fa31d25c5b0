import type { CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { buildHammingIndex, LinearIndex } from '../../search/index.js';
import type { PackedHashes } from '../../types.js';
import { getSignal, isPerceptual } from '../../signals/registry.js';
import { finish, parseCommon, progressLine, type CommonFlags } from './bench-common.js';
import { MATCH_DEFAULTS } from './bench-defaults.js';
import { captureEnvironment } from '../../bench/environment.js';
import { runMatchBench, type IndexFactory } from '../../bench/match.js';
import { checkAtMost, invalidArgument, parseCount, parseEnum, parseFraction, parseList } from '../args.js';
import { createPrng } from '../../synthetic/prng.js';
import { BENCH_SCHEMA, type BenchResult } from '../../bench/schema.js';
import { makeQueries, syntheticList } from '../../synthetic/hashes.js';
import { startQueryWorkers } from '../../bench/threads.js';

export interface MatchFlags extends CommonFlags {
  readonly bits?: string;
  readonly n?: string;
  readonly db?: string;
  readonly lists?: string;
  readonly signal?: string;
  readonly queries?: string;
  readonly nearFraction?: string;
  readonly radius?: string;
  readonly maxFlip?: string;
  readonly workers?: string;
  readonly check?: string;
}

/** Default radius per synthetic width: PDQ's match threshold for 256 bits, a common 64-bit one. */
const DEFAULT_RADIUS: Readonly<Record<number, number>> = { 256: 31, 64: 10 };
const MAX_N = 100_000_000;
const MAX_THREADS = 256;

const FACTORY: IndexFactory = { build: (p) => buildHammingIndex(p), reference: (p) => LinearIndex.build(p) };

interface ListSource {
  readonly source: string;
  readonly list: PackedHashes;
  readonly defaultRadius: number;
  readonly signal: string | null;
}

async function loadFromStore(f: MatchFlags, ctx: CliContext): Promise<ListSource> {
  if (f.n !== undefined || f.bits !== undefined) throw new UsageError('--n and --bits describe a synthetic list; omit them with --db or --lists');
  const signal = getSignal(f.signal ?? MATCH_DEFAULTS.signal);
  if (!isPerceptual(signal)) throw invalidArgument('--signal', 'a perceptual signal', signal.name);
  const names = f.lists ? parseList('--lists', f.lists) : undefined;
  const { openStore, resolveDbPath } = await import('../../store/index.js');
  const reader = openStore(resolveDbPath({ db: f.db }, ctx.env), { readonly: true });
  try {
    const list = reader.loadPacked(signal.name, names);
    if (list.count === 0) {
      throw new UsageError(`No ${signal.name} hashes in ${names ? `the lists ${names.join(', ')}` : 'the database'}`);
    }
    return { source: `lists:${names ? [...names].sort().join(',') : '*'}`, list, defaultRadius: signal.defaultThreshold, signal: signal.name };
  } finally {
    reader.close();
  }
}

export async function runMatchCommand(f: MatchFlags, ctx: CliContext): Promise<void> {
  const common = await parseCommon(f, MATCH_DEFAULTS.repeat);
  const stored = f.db !== undefined || f.lists !== undefined;
  if (!stored && f.signal !== undefined) throw new UsageError('--signal applies to a stored list: give --db or --lists');
  const queries = parseCount('--queries', f.queries ?? MATCH_DEFAULTS.queries);
  const nearFraction = parseFraction('--near-fraction', f.nearFraction ?? MATCH_DEFAULTS.nearFraction);
  const threads = parseCount('--workers', f.workers ?? MATCH_DEFAULTS.threads);
  checkAtMost('--workers', threads, MAX_THREADS, 'one index per thread');
  const check = parseCount('--check', f.check ?? MATCH_DEFAULTS.check);
  const bits = stored ? null : parseEnum('--bits', f.bits ?? String(MATCH_DEFAULTS.bits), [256, 64]);
  const n = stored ? null : parseCount('--n', f.n ?? MATCH_DEFAULTS.n);
  if (n !== null) checkAtMost('--n', n, MAX_N, 'synthetic list size');
  const radiusFlag = f.radius === undefined ? null : parseCount('--radius', f.radius, 0);
  const maxFlipFlag = f.maxFlip === undefined ? null : parseCount('--max-flip', f.maxFlip, 0);

  const environment = await captureEnvironment();
  const startedAt = new Date().toISOString();
  const prng = createPrng(common.seed);
  const src: ListSource =
    bits !== null && n !== null
      ? { source: 'synthetic', list: syntheticList(bits, n, prng), defaultRadius: DEFAULT_RADIUS[bits], signal: null }
      : await loadFromStore(f, ctx);
  const listBits = src.list.bits;
  const radius = radiusFlag ?? src.defaultRadius;
  checkAtMost('--radius', radius, listBits, `${listBits}-bit hashes`);
  const maxFlip = maxFlipFlag ?? radius;
  checkAtMost('--max-flip', maxFlip, listBits, `${listBits}-bit hashes`);

  const qs = makeQueries(src.list, queries, nearFraction, maxFlip, prng);
  const status = progressLine(ctx);
  const out = await runMatchBench(
    { source: src.source, list: src.list, queries: qs, nearFraction, maxFlip, radius, threads, repeat: common.repeat, warmup: common.warmup, check },
    FACTORY,
    startQueryWorkers,
    status.update,
  ).finally(status.done);
  const notes = threads > 1 ? [`each of the ${threads} threads builds its own index over one shared list (SharedArrayBuffer); memory figures are the main thread's index only`] : [];
  const result: BenchResult = {
    schema: BENCH_SCHEMA,
    kind: 'match',
    startedAt,
    seed: common.seed,
    parameters: {
      source: src.source,
      signal: src.signal,
      bits: listBits,
      n: src.list.count,
      queries,
      nearFraction,
      maxFlip,
      radius,
      threads,
      repeat: common.repeat,
      warmup: common.warmup,
      check,
    },
    environment,
    figures: out.figures,
    crossCheck: out.crossCheck,
    workload: out.workload,
    notes,
  };
  const header =
    `hashsieve bench match: ${src.list.count.toLocaleString('en-US')} × ${listBits}-bit hashes (${src.source}), ` +
    `${queries.toLocaleString('en-US')} queries (${Math.round(nearFraction * 100)}% near, ≤ ${maxFlip} bits flipped), radius ${radius}, ${threads} thread(s)`;
  await finish(result, header, common, ctx);
}
