import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors.js';
import { formatSummary } from '../../report/summary.js';
import { REPORT_FORMATS, type ReportFormat } from '../../report/types.js';
import { SHARE_FORMATS } from '../../report/share.js';
import { getSignal, parseSignalList } from '../../signals/registry.js';
import { DEFAULT_HASH_OPTIONS, PDQ_PIPELINES, type HashOptions } from '../../signals/types.js';
import { openStore, resolveDbPath } from '../../store/index.js';
import type { StoreReader } from '../../store/types.js';
import { readAuditList, type AuditResult } from '../../scan/audit.js';
import { expandInputs } from '../../scan/inputs.js';
import { defaultSignals, selectLists, unmatchedSignals } from '../../scan/options.js';
import type { Hasher } from '../../scan/pool.js';
import { scan, type ScanResult } from '../../scan/scan.js';
import type { ShareConfig } from '../../scan/share.js';
import { parseCount, parseDuration, parseEnum, parseList, parseSize, parseThresholds } from '../args.js';
import type { CliContext } from '../context.js';
import { categoryFilter } from '../../scan/categories.js';

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
  categories?: string[];
  excludeCategories?: string[];
  pdqPipeline?: string;
  out?: string;
  force?: boolean;
  format: string;
  onlyMatches?: boolean;
  summary?: string;
  manifest?: string;
  checkpoint?: string;
  resume?: boolean;
  quiet?: boolean;
  caseNumber?: string;
  examiner?: string;
  evidenceId?: string;
  notes?: string;
  knownGoodSkip?: boolean;
  share?: string;
  shareFormat?: string;
  shareCategory?: string;
  includePaths?: boolean;
  newFrom?: string;
  audit?: string;
  queue?: string;
  batchSize?: string;
  localWorkers?: string;
}

export function parseFormat(value: string): ReportFormat {
  return parseEnum('--format', value, REPORT_FORMATS);
}

export function hashOptionsFrom(opts: { pdqPipeline?: string; dihedral?: boolean }): HashOptions {
  return {
    ...DEFAULT_HASH_OPTIONS,
    ...(opts.pdqPipeline !== undefined && { pdqPipeline: parseEnum('--pdq-pipeline', opts.pdqPipeline, PDQ_PIPELINES) }),
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

const AUDIT_LINES_SHOWN = 20;

/** hashdeep -a -v -v style: counts, then the discrepancies (the first few of each; all are in --summary). */
export function formatAudit(a: AuditResult, quiet: boolean): string {
  const lines = [`hashsieve: ${a.passed ? 'Audit passed' : 'Audit failed'}`];
  if (quiet) return `${lines[0]}\n`;
  lines.push(
    `  files matched: ${a.matched}`,
    `  files moved: ${a.moved.length}`,
    `  new files found: ${a.new.length}`,
    `  known files not found: ${a.missing.length}`,
    `  files not read: ${a.unreadable.length}`,
  );
  const some = (label: string, items: readonly string[]): void => {
    for (const item of items.slice(0, AUDIT_LINES_SHOWN)) lines.push(`  ${label}: ${item}`);
    if (items.length > AUDIT_LINES_SHOWN) lines.push(`  ... ${items.length - AUDIT_LINES_SHOWN} more ${label} (all in --summary)`);
  };
  some('moved', a.moved.map((m) => `${m.path} (was ${m.knownPath})`));
  some('new', a.new);
  some('missing', a.missing);
  some('not read', a.unreadable);
  return `${lines.join('\n')}\n`;
}

/** `--share FILE --share-format F [--share-category C] [--include-paths] [--new-from DIR]`, checked. */
function shareConfig(opts: ScanCommandOptions): ShareConfig | null {
  const uses = opts.shareFormat !== undefined || opts.shareCategory !== undefined || opts.includePaths || opts.newFrom !== undefined;
  if (opts.share === undefined) {
    if (uses) throw new UsageError('--share-format, --share-category, --include-paths and --new-from go with --share FILE');
    return null;
  }
  if (opts.shareFormat === undefined) throw new UsageError(`--share needs --share-format (${SHARE_FORMATS.join(', ')})`);
  const format = parseEnum('--share-format', opts.shareFormat, SHARE_FORMATS);
  if (opts.newFrom !== undefined && !existsSync(opts.newFrom)) throw new UsageError(`--new-from: ${opts.newFrom} does not exist`);
  return {
    path: opts.share,
    format,
    category: opts.shareCategory ?? null,
    includePaths: opts.includePaths === true,
    newFrom: opts.newFrom ?? null,
  };
}

/** A store with no lists, for an audit run without a hash-list database. */
const EMPTY_STORE: StoreReader = {
  lists: () => [],
  loadPacked: (signal) => ({ bits: getSignal(signal).bits, count: 0, bytes: new Uint8Array(0), ids: new Uint32Array(0) }),
  entries: () => new Map(),
  close: () => undefined,
};

/** Validate the command's options, open the store read-only and run the scan; Ctrl-C stops it cleanly. */
export async function runScanCommand(paths: readonly string[], opts: ScanCommandOptions, ctx: CliContext): Promise<ScanResult> {
  if (paths.length === 0) throw new UsageError('Give files or directories to scan, or - to read paths from stdin');
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('- (read paths from stdin) may be given only once');
  const format = parseFormat(opts.format);
  const workers = opts.workers === undefined ? availableParallelism() : parseCount('--workers', opts.workers, 0);
  const fileTimeoutMs = parseDuration('--file-timeout', opts.fileTimeout);
  const maxFileSize = opts.maxFileSize === undefined ? null : parseSize('--max-file-size', opts.maxFileSize);
  const limits = {
    ...(opts.maxPixels !== undefined && { maxPixels: parseCount('--max-pixels', opts.maxPixels) }),
    ...(opts.maxBytes !== undefined && { maxBytes: parseSize('--max-bytes', opts.maxBytes) }),
  };
  const thresholds = parseThresholds('--threshold', opts.threshold);
  const hashOptions = hashOptionsFrom(opts);
  if (opts.checkpoint && !opts.out) throw new UsageError('--checkpoint needs --out FILE (a report on stdout cannot be resumed)');
  if (opts.resume && !opts.checkpoint) throw new UsageError('--resume needs --checkpoint FILE');
  const share = shareConfig(opts);
  const audit = opts.audit === undefined ? null : readAuditList(opts.audit);

  if (opts.queue === undefined && (opts.batchSize !== undefined || opts.localWorkers !== undefined)) {
    throw new UsageError('--batch-size and --local-workers apply to a fleet scan: add --queue URL');
  }

  let fleet: { hasher: Hasher; localWorkers: number } | null = null;
  // An audit needs no hash lists: without a database (or lists), it runs on an empty store.
  const auditOnly = audit !== null && opts.lists === undefined && !existsSync(resolveDbPath({ db: opts.db }, ctx.env));
  const { store, path: dbPath } = auditOnly ? { store: EMPTY_STORE, path: resolveDbPath({ db: opts.db }, ctx.env) } : openStoreReadonly(opts.db, ctx.env);
  const controller = new AbortController();
  const onSignal = (): void => {
    ctx.stderr.write('\nhashsieve: interrupted; flushing the report and checkpoint (press Ctrl-C again to abort at once)\n');
    controller.abort();
  };
  try {
    if (opts.queue !== undefined) fleet = await fleetHasher(opts, ctx, fileTimeoutMs);
    const lists =
      audit !== null && opts.lists === undefined && store.lists().length === 0
        ? []
        : selectLists(store.lists(), opts.lists === undefined ? undefined : parseList('--lists', opts.lists), dbPath);
    const chosen = opts.algo ? parseSignalList(opts.algo) : defaultSignals(lists);
    // An audit compares the digests its list holds, so they are computed whatever --algo says.
    const signals = audit ? [...new Set([...chosen, ...audit.signals.map(getSignal)])] : chosen;
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
        fileTimeoutMs,
        ...(ctx.createHasher && { createHasher: ctx.createHasher }),
        ...(fleet && { createHasher: () => Promise.resolve(fleet!.hasher) }),
        signals,
        hashOptions,
        limits,
        store,
        dbPath,
        lists,
        thresholds,
        dihedral: opts.dihedral === true,
        categories: categoryFilter(opts.categories, opts.excludeCategories),
        indexCache: indexCacheDir(opts.indexCache, ctx.env),
        format,
        out: opts.out ?? null,
        overwrite: opts.force === true,
        onlyMatches: opts.onlyMatches === true,
        checkpoint: opts.checkpoint ?? null,
        resume: opts.resume === true,
        summaryPath: opts.summary ?? null,
        manifestPath: opts.manifest ?? null,
        // Not when the report itself goes to the same terminal: the line would land between records.
        progress: ctx.stderr.isTTY === true && opts.quiet !== true && !(opts.out === undefined && ctx.stdout.isTTY === true),
        commandLine: ['hashsieve', ...ctx.argv.slice(2)],
        stop: controller.signal,
        sourcePaths: paths,
        knownGoodSkip: opts.knownGoodSkip !== false,
        share,
        audit,
        case: { caseNumber: opts.caseNumber, examiner: opts.examiner, evidenceId: opts.evidenceId, notes: opts.notes },
      },
      { stdout: ctx.stdout, stderr: ctx.stderr },
    );
    if (!opts.quiet) ctx.stderr.write(formatSummary(result.summary));
    if (result.share && !opts.quiet) ctx.stderr.write(`  shared ${result.share.shared} files in ${result.share.path}\n`);
    if (result.audit) ctx.stderr.write(formatAudit(result.audit, opts.quiet === true));
    if (result.share && result.share.failed.length > 0) {
      ctx.stderr.write(`hashsieve: warning: ${result.share.failed.length} files could not be hashed for the share file and are not in it: ${result.share.failed.slice(0, 5).join(', ')}${result.share.failed.length > 5 ? ', ...' : ''}\n`);
    }
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
    await fleet?.hasher.close();
  }
}

/** `--queue URL`: the scan's files are hashed by fleet workers (and `--local-workers` threads here). */
async function fleetHasher(opts: ScanCommandOptions, ctx: CliContext, fileTimeoutMs: number): Promise<{ hasher: Hasher; localWorkers: number }> {
  if (opts.workers !== undefined) throw new UsageError('--workers sets the threads of a local scan; with --queue use --local-workers');
  const { parseRedisUrl } = await import('../../fleet/connection.js');
  const { createCoordinatorHasher } = await import('../../fleet/coordinator.js');
  const { DEFAULT_BATCH_SIZE } = await import('../../fleet/remote-hasher.js');
  const localWorkers = opts.localWorkers === undefined ? 0 : parseCount('--local-workers', opts.localWorkers, 0);
  const hasher = await createCoordinatorHasher({
    target: parseRedisUrl(opts.queue!, ctx.env.HASHSIEVE_REDIS_PASSWORD),
    checkpoint: opts.checkpoint ?? null,
    resume: opts.resume === true,
    batchSize: opts.batchSize === undefined ? DEFAULT_BATCH_SIZE : parseCount('--batch-size', opts.batchSize, 1),
    localWorkers,
    fileTimeoutMs,
    onNotice: (message) => ctx.stderr.write(`hashsieve: ${message}\n`),
  });
  return { hasher, localWorkers };
}
