import type { Command } from 'commander';
import { DEFAULT_HASH_OPTIONS, PDQ_PIPELINES } from '../../signals/types.js';
import { HASH_DEFAULTS, MATCH_DEFAULTS, SCAN_BENCH_DEFAULTS } from '../run/bench-defaults.js';
import type { CliContext } from '../context.js';
import type { FleetBenchFlags } from '../run/bench-fleet.js';
import { deprecatedAlias } from '../deprecated.js';

/** Options both `bench match` and `bench hash` take. */
function common(cmd: Command, defaultRepeat: number): Command {
  return cmd
    .addHelpText('after', '\nExit codes: 0 done, 1 a figure regressed against --baseline, 2 usage error or wrong answers.')
    .option('--repeat <R>', `measured rounds; the table shows their median and spread (default ${defaultRepeat})`)
    .option('--warmup <W>', 'rounds run first and discarded (default 1)')
    .option('--seed <S>', 'seed for every synthetic list, query and image (default 1)')
    .option('--json', 'print the result as JSON (figures, parameters, seed, environment)')
    .option('--baseline <FILE>', 'compare with an earlier --json result; exit 1 when a figure regressed')
    .option('--max-regression <PCT>', 'how much worse than the baseline a figure may be (default 10%)')
    .option('--require-all', 'also fail when a figure is missing on either side')
    .option('--save <FILE>', 'write this result as JSON (a baseline for later runs)');
}

export function register(program: Command, ctx: CliContext): void {
  const bench = program
    .command('bench')
    .description('Measure match and hash throughput on this machine (for CI gating and sizing)');

  const match = common(
    bench
      .command('match')
      .description('Index build time, memory and exact queries/s on a synthetic or stored list, cross-checked against LinearIndex')
      .option('--bits <B>', `synthetic hash length: 256 or 64 (default ${MATCH_DEFAULTS.bits})`)
      .option('--n <N>', `synthetic list entries, k/M suffixes allowed (default ${MATCH_DEFAULTS.n})`)
      .option('--db <PATH>', 'benchmark a real list from this database instead (its hashes are never printed)')
      .option('--lists <NAMES>', 'benchmark stored lists (comma-separated) from --db or the default database')
      .option('--signal <NAME>', `with a stored list: the perceptual signal to load (default ${MATCH_DEFAULTS.signal})`)
      .option('--queries <Q>', `queries per round (default ${MATCH_DEFAULTS.queries})`)
      .option('--near-fraction <F>', `share of queries that are list entries with bits flipped (default ${MATCH_DEFAULTS.nearFraction})`)
      .option('--radius <R>', 'query radius (default 31 for 256 bits, 10 for 64; with --db the signal threshold)')
      .option('--max-flip <K>', 'near queries flip 0..K bits (default the radius)')
      .option('--workers <N>', `worker threads querying one shared list (default ${MATCH_DEFAULTS.threads})`)
      .option('--check <C>', `queries cross-checked against LinearIndex (default ${MATCH_DEFAULTS.check})`),
    MATCH_DEFAULTS.repeat,
  ).action(async (flags) => {
    const { runMatchCommand } = await import('../run/bench-match.js');
    await runMatchCommand(flags, ctx);
  });
  deprecatedAlias(match, ctx, '--threads <T>', '--workers');

  common(
    bench
      .command('hash')
      .description('Images/s: decode-only floor, each signal alone and all at once, per worker count')
      .argument('[paths...]', 'image files or directories to time (default: a generated synthetic corpus)')
      .option('--generate <WxH:N>', `generate N synthetic JPEGs of WxH in a temporary folder (default ${HASH_DEFAULTS.generate})`)
      .option('--algo <LIST>', 'signals to time alone (default every signal)')
      .option('--workers <LIST>', 'worker counts, comma-separated (default 1 and the core count)'),
    HASH_DEFAULTS.repeat,
  ).action(async (paths: string[], flags) => {
    const { runHashCommand } = await import('../run/bench-hash.js');
    await runHashCommand(paths, flags, ctx);
  });

  const d = SCAN_BENCH_DEFAULTS;
  bench
    .command('scan')
    .description('The whole scan (walk, pool, hash, match, report) in files/s beside the decode-only floor and hashing alone, per worker count; then memory over many tiny files')
    .option('--small <N>', '1024x768 JPEGs (0 skips)', d.small)
    .option('--large <N>', '4032x3024 JPEGs (0 skips)', d.large)
    .option('--list <N>', 'random PDQ hashes in the list matched against', d.list)
    .option('--tiny <N>', 'tiny files for the memory run (0 skips)', d.tiny)
    .option('--workers <LIST>', 'worker counts to compare, comma-separated', d.workers)
    .option('--rounds <N>', 'rounds; each runs every worker count, ratios are medians', d.rounds)
    .option('--seed <S>', 'seed for the corpus and the list', d.seed)
    .option('--pipeline <NAME>', `PDQ pipeline: ${PDQ_PIPELINES.join(', ')} (default ${DEFAULT_HASH_OPTIONS.pdqPipeline})`)
    .option('--cache <DIR>', 'where corpora, the list and its index are kept between runs (default $TMPDIR/hashsieve-bench-scan)')
    .option('--json', 'print the report as JSON on stdout (rows of figures, parameters, the machine) instead of Markdown')
    .option('--save <FILE>', 'also write the report as JSON to FILE')
    .addHelpText('after', '\nThe report is Markdown on stdout (JSON with --json); it has no baseline gate.\nExit codes: 0 done, 2 usage or fatal error.')
    .action(async (flags) => {
      const { runScanBenchCommand } = await import('../run/bench-scan.js');
      await runScanBenchCommand(flags, ctx);
    });

  bench
    .command('serve')
    .description('The HTTP service on loopback under autocannon: raw_lookup req/s and p99, lookup_batch hashes/s, uploads/s vs the pool')
    .option('--sizes <LIST>', 'synthetic PDQ list sizes, one service each, k/M suffixes (e.g. 1M,10M)', '1M')
    .option('--seconds <S>', 'seconds per measured round', '10')
    .option('--connections <C>', 'concurrent connections for raw_lookup', '16')
    .option('--workers <N>', 'hash pool threads of the service (default: the core count)')
    .option('--batch <N>', 'lines per lookup_batch request', '1000')
    .option('--batch-threads <N>', 'the service\'s lookup_batch query threads (default: the core count)')
    .option('--images <N>', 'synthetic 1024x768 JPEGs for the upload round (0 skips it)', '20')
    .option('--seed <S>', 'seed for the list, the queries and the images', '1')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nThe service runs in a child process on 127.0.0.1; figures go to stdout, progress to stderr.\nExit codes: 0 done, 2 usage or fatal error.\n')
    .action(async (flags) => {
      const { runBenchServe } = await import('../run/bench-serve.js');
      await runBenchServe(flags, ctx);
    });

  bench
    .command('fleet')
    .description('Local scan (2 threads) vs coordinator + 2 single-thread workers through a private redis-server; then the coordination ceiling with stat-only workers')
    .option('--generate <WxH:N>', 'JPEGs to scan (default 1024x768:1000)')
    .option('--repeat <R>', 'rounds, each a local and a fleet scan (default 3)')
    .option('--ceiling-files <N>', 'empty files for the coordination ceiling (default 50000)')
    .option('--ceiling-batch-sizes <LIST>', 'batch sizes tried for the ceiling (default 50,500)')
    .option('--seed <S>', 'seed for the synthetic images (default 1)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nNeeds redis-server (apt-get install -y redis-server); it starts its own on a unix socket.\nExit codes: 0 done, 2 usage or fatal error, or the fleet and local scans disagree.')
    .action(async (flags: FleetBenchFlags) => {
      const { runFleetBenchCommand } = await import('../run/bench-fleet.js');
      await runFleetBenchCommand(flags, ctx);
    });
}
