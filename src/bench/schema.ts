import { UsageError } from '../errors.js';
import type { Environment } from './environment.js';
import type { Summary } from './stats.js';

/**
 * The `--json` result of `hashsieve bench`. Append-only: fields are added, never renamed.
 * A figure is identified by its name plus its params (see figureKey); that pair is how a
 * later run finds it in a baseline.
 */
export const BENCH_SCHEMA = 'hashsieve-bench/1';

export type Direction = 'higher' | 'lower';
export type ParamValue = string | number | boolean | null;

export interface Figure extends Summary {
  readonly name: string;
  readonly unit: string;
  /** Which way is better: throughput is 'higher', time and memory 'lower'. */
  readonly better: Direction;
  /** The workload the figure was measured on (what makes two figures comparable). */
  readonly params: Readonly<Record<string, ParamValue>>;
}

export interface CrossCheck {
  /** Queries whose answers were compared with LinearIndex. */
  readonly queries: number;
  /** Queries whose answers differed. */
  readonly mismatches: number;
  readonly ok: boolean;
  /** Up to a few differing queries: index in the query set and the counts (never hashes). */
  readonly examples: readonly { query: number; expected: number; got: number; reason: string }[];
}

export interface BenchResult {
  readonly schema: typeof BENCH_SCHEMA;
  readonly kind: 'match' | 'hash';
  /** ISO 8601 UTC, start of the run. */
  readonly startedAt: string;
  readonly seed: number;
  readonly parameters: Readonly<Record<string, ParamValue>>;
  readonly environment: Environment;
  readonly figures: readonly Figure[];
  readonly crossCheck?: CrossCheck;
  /** What the run did, for a person checking it (counts, not figures; never compared). */
  readonly workload?: Readonly<Record<string, ParamValue>>;
  readonly notes?: readonly string[];
}

function canonical(params: Readonly<Record<string, ParamValue>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join(',');
}

/** "queries_per_s{bits=256,n=100000,...}": stable whatever the key order. */
export function figureKey(f: Pick<Figure, 'name' | 'params'>): string {
  return `${f.name}{${canonical(f.params)}}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check a parsed baseline file; the message says what is wrong and where. */
export function parseBenchResult(json: unknown, source: string): BenchResult {
  const bad = (what: string): never => {
    throw new UsageError(`${source} is not a hashsieve bench JSON result: ${what}`);
  };
  if (!isObj(json)) return bad('expected a JSON object');
  if (json.schema !== BENCH_SCHEMA) return bad(`expected schema "${BENCH_SCHEMA}" but found ${JSON.stringify(json.schema)}`);
  if (json.kind !== 'match' && json.kind !== 'hash') return bad('expected kind "match" or "hash"');
  if (!Array.isArray(json.figures)) return bad('expected a figures array');
  json.figures.forEach((f, i) => {
    if (!isObj(f)) return bad(`figures[${i}] is not an object`);
    if (typeof f.name !== 'string') bad(`figures[${i}].name is not a string`);
    if (f.better !== 'higher' && f.better !== 'lower') bad(`figures[${i}].better is not "higher" or "lower"`);
    if (typeof f.median !== 'number' || !Number.isFinite(f.median)) bad(`figures[${i}].median is not a number`);
    if (!isObj(f.params)) bad(`figures[${i}].params is not an object`);
  });
  return json as unknown as BenchResult;
}
