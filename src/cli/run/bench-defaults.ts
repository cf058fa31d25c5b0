/** Defaults of `bench match`, `bench hash` and `bench scan`, shared by the commander help and the commands. */
export const MATCH_DEFAULTS = Object.freeze({
  bits: 256,
  n: 100_000,
  signal: 'pdq',
  queries: 10_000,
  nearFraction: 0.1,
  threads: 1,
  repeat: 5,
  check: 100,
});

export const HASH_DEFAULTS = Object.freeze({ generate: '1024x768:40', repeat: 3 });

export const SCAN_BENCH_DEFAULTS = Object.freeze({ small: '1000', large: '200', list: '1000000', tiny: '200000', workers: '1,2', rounds: '1', seed: '1' });
