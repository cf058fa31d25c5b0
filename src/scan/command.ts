import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { UsageError, invalidParameterError } from '../errors.js';
import { formatSummary } from '../report/summary.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/types.js';
import { parseSignalList } from '../signals/registry.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PdqPipeline } from '../signals/types.js';
import { openStore, resolveDbPath } from '../store/index.js';
import type { StoreReader } from '../store/types.js';
import {
  defaultSignals,
  expandInputs,
  parseCount,
  parseDuration,
  parseSize,
  parseThresholds,
  selectLists,
  unmatchedSignals,
} from './options.js';
import type { Hasher } from './pool.js';
import { scan, type ScanResult } from './scan.js';

/** The scan command's options as commander parses them (strings, not yet validated). */
export interface ScanCommandOptions {
  null?: boolean;
  include?: string[];
  exclude?: string[];
  followSymlinks?: boolean;
  maxFileSize?: string;
  maxPixels?: string;
  maxBytes?: string;
  indexCache?: string;
  workers?: string;
  fileTimeout: string;
  db?: string;
  lists?: string;
  algo?: string;
  threshold?: string;
  dihedral?: boolean;
  pdqPipeline?: string;
  out?: string;
  format: string;
  onlyMatches?: boolean;
  summary?: string;
  manifest?: string;
  checkpoint?: string;
  resume?: boolean;
  quiet?: boolean;
  queue?: string;
  batchSize?: string;
  localWorkers?: string;
}

/** What a command needs from the process (the CLI context satisfies it). */
export interface CommandIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly argv: readonly string[];
}

const PDQ_PIPELINES: readonly PdqPipeline[] = ['fast', 'fullres', 'cpp'];

export function parseFormat(value: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) throw invalidParameterError('--format', `one of ${REPORT_FORMATS.join(', ')}`, value);
  return value as ReportFormat;
}

export function hashOptionsFrom(opts: { pdqPipeline?: string; dihedral?: boolean }): HashOptions {
  if (opts.pdqPipeline !== undefined && !(PDQ_PIPELINES as readonly string[]).includes(opts.pdqPipeline)) {
    throw invalidParameterError('--pdq-pipeline', `one of ${PDQ_PIPELINES.join(', ')}`, opts.pdqPipeline);
  }
  return {
    ...DEFAULT_HASH_OPTIONS,
    ...(opts.pdqPipeline ? { pdqPipeline: opts.pdqPipeline as PdqPipeline } : {}),
    dihedral: opts.dihedral === true,
  };
}

/** `--index-cache DIR`, else $HASHSIEVE_INDEX_CACHE; '' or absent: no cache. */
export function indexCacheDir(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const dir = flag ?? env.HASHSIEVE_INDEX_CACHE ?? '';
  return dir === '' ? null : dir;
}

/** Open the store read-only; a missing database is a usage error, not an empty one. */
export function openStoreReadonly(db: string | undefined, env: NodeJS.ProcessEnv): { store: StoreReader; path: string } {
  const path = resolveDbPath({ db }, env);
  if (!existsSync(path)) {
    throw new UsageError(`No hash-list database at ${path}; import a list first with \`hashsieve list import\` (or pass --db)`);
  }
  return { store: openStore(path, { readonly: true }), path };
}

/** Validate the command's options, open the store read-only and run the scan; Ctrl-C stops it cleanly. */
export async function runScanCommand(paths: readonly string[], opts: ScanCommandOptions, ctx: CommandIO): Promise<ScanResult> {
  if (paths.length === 0) throw new UsageError('Give files or directories to scan, or - to read paths from stdin');
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('- (read paths from stdin) may be given only once');
  const format = parseFormat(opts.format);
  const workers = opts.workers === undefined ? availableParallelism() : parseCount(opts.workers, '--workers', 0);
  const fileTimeoutMs = parseDuration(opts.fileTimeout, '--file-timeout');
  const maxFileSize = opts.maxFileSize === undefined ? null : parseSize(opts.maxFileSize, '--max-file-size');
  const limits = {
    ...(opts.maxPixels !== undefined && { maxPixels: parseCount(opts.maxPixels, '--max-pixels', 1) }),
    ...(opts.maxBytes !== undefined && { maxBytes: parseSize(opts.maxBytes, '--max-bytes') }),
  };
  const thresholds = parseThresholds(opts.threshold);
  const hashOptions = hashOptionsFrom(opts);
  if (opts.checkpoint && !opts.out) throw new UsageError('--checkpoint needs --out FILE (a report on stdout cannot be resumed)');
  if (opts.resume && !opts.checkpoint) throw new UsageError('--resume needs --checkpoint FILE');

  if (opts.queue === undefined && (opts.batchSize !== undefined || opts.localWorkers !== undefined)) {
    throw new UsageError('--batch-size and --local-workers apply to a fleet scan: add --queue URL');
  }

  const { store, path: dbPath } = openStoreReadonly(opts.db, ctx.env);
  let fleet: { hasher: Hasher; localWorkers: number } | null = null;
  const controller = new AbortController();
  const onSignal = (): void => {
    ctx.stderr.write('\nhashsieve: interrupted; flushing the report and checkpoint (press Ctrl-C again to abort at once)\n');
    controller.abort();
  };
  try {
    if (opts.queue !== undefined) fleet = await fleetHasher(opts, ctx, fileTimeoutMs);
    const lists = selectLists(store.lists(), opts.lists, dbPath);
    const signals = opts.algo ? parseSignalList(opts.algo) : defaultSignals(lists);
    const unmatched = unmatchedSignals(lists, signals);
    if (unmatched.length > 0 && !opts.quiet) {
      ctx.stderr.write(`hashsieve: warning: the lists hold ${unmatched.join(', ')} hashes, which --algo does not compute; those entries cannot match\n`);
    }
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const separator = opts.null ? '\0' : '\n';
    const result = await scan(
      {
        inputs: expandInputs(paths, ctx.stdin, separator),
        countableInputs: paths.includes('-') ? null : paths,
        walk: { followSymlinks: opts.followSymlinks === true, include: opts.include ?? [], exclude: opts.exclude ?? [], maxFileSize },
        workers: fleet ? fleet.localWorkers : workers,
        ...(fleet && { hasher: fleet.hasher }),
        fileTimeoutMs,
        signals,
        hashOptions,
        limits,
        store,
        dbPath,
        lists,
        thresholds,
        dihedral: opts.dihedral === true,
        indexCache: indexCacheDir(opts.indexCache, ctx.env),
        format,
        out: opts.out ?? null,
        onlyMatches: opts.onlyMatches === true,
        checkpoint: opts.checkpoint ?? null,
        resume: opts.resume === true,
        summaryPath: opts.summary ?? null,
        manifestPath: opts.manifest ?? null,
        progress: ctx.stderr.isTTY === true && opts.quiet !== true,
        commandLine: ['hashsieve', ...ctx.argv.slice(2)],
        stop: controller.signal,
      },
      { stdout: ctx.stdout, stderr: ctx.stderr },
    );
    if (!opts.quiet) ctx.stderr.write(formatSummary(result.summary));
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
    await fleet?.hasher.close();
  }
}

/** `--queue URL`: the scan's files are hashed by fleet workers (and `--local-workers` threads here). */
async function fleetHasher(opts: ScanCommandOptions, ctx: CommandIO, fileTimeoutMs: number): Promise<{ hasher: Hasher; localWorkers: number }> {
  if (opts.workers !== undefined) throw new UsageError('--workers sets the threads of a local scan; with --queue use --local-workers');
  const { parseRedisUrl } = await import('../fleet/connection.js');
  const { createCoordinatorHasher } = await import('../fleet/coordinator.js');
  const { DEFAULT_BATCH_SIZE } = await import('../fleet/remote-hasher.js');
  const localWorkers = opts.localWorkers === undefined ? 0 : parseCount(opts.localWorkers, '--local-workers', 0);
  const hasher = await createCoordinatorHasher({
    target: parseRedisUrl(opts.queue!, ctx.env.HASHSIEVE_REDIS_PASSWORD),
    checkpoint: opts.checkpoint ?? null,
    resume: opts.resume === true,
    batchSize: opts.batchSize === undefined ? DEFAULT_BATCH_SIZE : parseCount(opts.batchSize, '--batch-size', 1),
    localWorkers,
    fileTimeoutMs,
    onNotice: (message) => ctx.stderr.write(`hashsieve: ${message}\n`),
  });
  return { hasher, localWorkers };
}
