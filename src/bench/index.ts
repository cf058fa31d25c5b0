/** The library side of `hashsieve bench`, for the public API: run, compare, read results. */
export { runMatchBench, type IndexFactory, type MatchBenchConfig, type MatchBenchOutput, type QueryWorkers } from './match.js';
export { runHashBench, type HashBenchConfig, type HashBenchOutput, type HashMode, type HashRunner } from './hash-bench.js';
export { compareResults, type Comparison, type ComparisonRow, type GateOptions, type RowStatus } from './gate.js';
export { BENCH_SCHEMA, figureKey, parseBenchResult, type BenchResult, type CrossCheck, type Direction, type Figure } from './schema.js';
export { captureEnvironment, type Environment } from './environment.js';
export { syntheticList, makeQueries, type QuerySet } from '../synthetic/hashes.js';
export { createPrng, type Prng } from '../synthetic/prng.js';
export { summarize, type Summary } from './stats.js';
