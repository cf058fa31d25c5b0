import type { HammingIndex, IndexMatch } from '../search/types.js';
import type { PackedHashes } from '../types.js';
import { crossCheck } from './crosscheck.js';
import { indexMemory, readMemory } from './memory.js';
import type { CrossCheck, Figure, ParamValue } from './schema.js';
import { msSince, summarize } from './stats.js';
import { queryViews, sampleIndices, type QuerySet } from '../synthetic/hashes.js';

/** Which index is benchmarked and which one is the truth it is checked against. */
export interface IndexFactory {
  build(list: PackedHashes): HammingIndex;
  reference(list: PackedHashes): HammingIndex;
}

/** Worker threads that each hold an index over the same shared list and split the queries. */
export interface QueryWorkers {
  /** Run every query once across the workers; wall-clock time from start to the last reply. */
  run(): Promise<{ elapsedMs: number; matches: number }>;
  answers(indices: readonly number[]): Promise<Map<number, IndexMatch[]>>;
  close(): Promise<void>;
}

export type StartWorkers = (list: PackedHashes, queries: QuerySet, threads: number, radius: number) => Promise<QueryWorkers>;

export interface MatchBenchConfig {
  /** "synthetic", or "lists:NAME,..." for a list from the store. */
  readonly source: string;
  readonly list: PackedHashes;
  readonly queries: QuerySet;
  readonly nearFraction: number;
  readonly maxFlip: number;
  readonly radius: number;
  readonly threads: number;
  readonly repeat: number;
  readonly warmup: number;
  readonly check: number;
}

export interface MatchBenchOutput {
  readonly figures: Figure[];
  readonly crossCheck: CrossCheck;
  readonly workload: Readonly<Record<string, ParamValue>>;
}

interface Round {
  buildMs: number;
  memoryBytes: number;
  rssBytes: number;
  queriesPerSecond: number;
  matches: number;
}

function figure(name: string, unit: string, better: Figure['better'], params: Figure['params'], values: number[]): Figure {
  return { name, unit, better, params, ...summarize(values) };
}

/**
 * Each round builds the index (timed, with the live memory it adds) and runs every query once
 * (timed); the first `warmup` rounds are discarded. Afterwards a sample of the queries is
 * answered again and compared with the reference index: any difference fails the benchmark.
 */
export async function runMatchBench(
  cfg: MatchBenchConfig,
  factory: IndexFactory,
  startWorkers?: StartWorkers,
  progress: (message: string) => void = () => {},
): Promise<MatchBenchOutput> {
  const views = queryViews(cfg.queries);
  const workers = cfg.threads > 1 ? await requireWorkers(startWorkers)(cfg.list, cfg.queries, cfg.threads, cfg.radius) : null;
  const rounds: Round[] = [];
  let index: HammingIndex | null = null;
  try {
    for (let r = 0; r < cfg.warmup + cfg.repeat; r++) {
      index = null;
      const before = readMemory();
      const t0 = process.hrtime.bigint();
      index = factory.build(cfg.list);
      const buildMs = msSince(t0);
      const memoryBytes = indexMemory(before, readMemory(), index);
      const rssBytes = process.memoryUsage().rss;
      const { elapsedMs, matches } = workers ? await workers.run() : timeQueries(index, views, cfg.radius);
      const round = { buildMs, memoryBytes, rssBytes, queriesPerSecond: (cfg.queries.count * 1000) / elapsedMs, matches };
      if (r >= cfg.warmup) rounds.push(round);
      progress(`round ${r + 1}/${cfg.warmup + cfg.repeat}${r < cfg.warmup ? ' (warm-up)' : ''}: ${Math.round(round.queriesPerSecond)} queries/s`);
    }
    progress(`cross-checking ${Math.min(cfg.check, cfg.queries.count)} queries against LinearIndex`);
    const sample = sampleIndices(cfg.queries.count, cfg.check);
    const idx = index as HammingIndex;
    const answers = workers ? await workers.answers(sample) : new Map(sample.map((q) => [q, idx.query(views[q], cfg.radius)]));
    const check = crossCheck(answers, factory.reference(cfg.list), views, cfg.radius);
    const workload = { ...workloadOf(cfg, rounds), ...planOf(idx, cfg.radius) };
    return { figures: figuresOf(cfg, rounds), crossCheck: withRoundConsistency(check, rounds), workload };
  } finally {
    await workers?.close();
  }
}

function requireWorkers(start: StartWorkers | undefined): StartWorkers {
  if (!start) throw new Error('threads > 1 needs a worker starter');
  return start;
}

function timeQueries(index: HammingIndex, views: readonly Uint8Array[], radius: number): { elapsedMs: number; matches: number } {
  let matches = 0;
  const t0 = process.hrtime.bigint();
  for (const v of views) matches += index.query(v, radius).length;
  return { elapsedMs: msSince(t0), matches };
}

/** Every round answers the same queries, so the total number of matches must not change. */
function withRoundConsistency(check: CrossCheck, rounds: readonly Round[]): CrossCheck {
  const totals = new Set(rounds.map((r) => r.matches));
  if (totals.size <= 1) return check;
  const reason = `total matches differ between rounds: ${[...totals].join(', ')}`;
  return { ...check, ok: false, examples: [...check.examples, { query: -1, expected: rounds[0].matches, got: -1, reason }] };
}

function figuresOf(cfg: MatchBenchConfig, rounds: readonly Round[]): Figure[] {
  const listParams = { source: cfg.source, bits: cfg.list.bits, n: cfg.list.count };
  const queryParams = {
    ...listParams,
    queries: cfg.queries.count,
    nearFraction: cfg.nearFraction,
    maxFlip: cfg.maxFlip,
    radius: cfg.radius,
    threads: cfg.threads,
  };
  const of = (k: keyof Round): number[] => rounds.map((r) => r[k]);
  return [
    figure('queries_per_s', 'queries/s', 'higher', queryParams, of('queriesPerSecond')),
    figure('index_build_ms', 'ms', 'lower', listParams, of('buildMs')),
    figure('index_memory_bytes', 'bytes', 'lower', listParams, of('memoryBytes')),
    figure('rss_after_build_bytes', 'bytes', 'lower', listParams, of('rssBytes')),
  ];
}

/** How the index says it answers at this radius (fast path or linear fallback), when it says. */
function planOf(index: HammingIndex, radius: number): Record<string, ParamValue> {
  const planner = index as { plan?: (r: number) => { strategy: string; reason: string } };
  if (typeof planner.plan !== 'function') return {};
  const plan = planner.plan(radius);
  return { strategy: plan.strategy, strategyReason: plan.reason };
}

function workloadOf(cfg: MatchBenchConfig, rounds: readonly Round[]): Record<string, ParamValue> {
  return {
    nearQueries: cfg.queries.near,
    randomQueries: cfg.queries.count - cfg.queries.near,
    matchesPerRound: rounds[0]?.matches ?? 0,
  };
}
