import { hostname, release, cpus } from 'node:os';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { DecodeLimits } from '../image/decode.js';
import type { CaseInfo, ReportProvenance } from '../report/case.js';
import { escapeControls } from '../report/escape.js';
import { createFormatter } from '../report/formats.js';
import { writeManifest, type ManifestList } from '../report/manifest.js';
import { fileSink, streamSink } from '../report/sink.js';
import { emptyTotals, summarize } from '../report/summary.js';
import type { ReportFormat, ScanSummary } from '../report/types.js';
import { isPerceptual, SIGNALS } from '../signals/registry.js';
import type { HashOptions, SignalType } from '../signals/types.js';
import type { ListInfo, StoreReader } from '../store/types.js';
import { VERSION } from '../version.js';
import { refuseOutputsInsideInputs, type OutputPath } from './evidence.js';
import { CheckpointWriter, compareScanOptions, readCheckpoint, type CheckpointState } from './checkpoint.js';
import { runEngine } from './engine.js';
import { buildKnownGoodSet, withKnownGood } from './known-good.js';
import type { CategoryFilter } from './categories.js';
import { Matcher } from './matcher.js';
import { Auditor, type AuditList, type AuditResult } from './audit.js';
import { ShareCollector, type ShareConfig, type ShareOutcome } from './share.js';
import { ReportOutput } from './output.js';
import { createInlineHasher, createPool, TASKS_IN_FLIGHT_PER_WORKER, type Hasher, type HasherFactory } from './pool.js';
import { Progress } from './progress.js';
import { walk, type WalkCounters, type WalkOptions } from './walk.js';
import type { FsPath } from './fs-path.js';

export interface ScanConfig {
  /** Paths to scan; walked lazily (an async iterable can stream from stdin). */
  readonly inputs: AsyncIterable<FsPath> | Iterable<FsPath>;
  /** When the inputs are a fixed list, they can be counted ahead for the progress line. */
  readonly countableInputs: readonly string[] | null;
  readonly walk: WalkOptions;
  /** Worker threads; 0 hashes on the main thread (no timeout, no crash isolation). */
  readonly workers: number;
  /**
   * Makes the hasher the files go to, from { workers, fileTimeoutMs } (default: a pool of
   * `workers` threads, or the main thread for 0). The scan closes it when done.
   */
  readonly createHasher?: HasherFactory;
  readonly fileTimeoutMs: number;
  /** Signals computed for every file. */
  readonly signals: readonly SignalType[];
  readonly hashOptions: HashOptions;
  /** Overrides of the decoder's default limits. */
  readonly limits: Partial<DecodeLimits>;
  readonly store: StoreReader;
  readonly dbPath: string;
  /** The lists matched against (already selected and checked). */
  readonly lists: readonly ListInfo[];
  readonly thresholds: ReadonlyMap<string, number>;
  readonly dihedral: boolean;
  /** Report only matches of entries whose category passes (absent or null: every match). */
  readonly categories?: CategoryFilter | null;
  /** Folder for the on-disk index cache; null builds the indexes every time. */
  readonly indexCache: string | null;
  readonly format: ReportFormat;
  /** Report file; null = the `stdout` stream. */
  readonly out: string | null;
  /** Replace an existing report file (a new scan otherwise refuses to). */
  readonly overwrite?: boolean;
  readonly onlyMatches: boolean;
  readonly checkpoint: string | null;
  readonly resume: boolean;
  readonly summaryPath: string | null;
  readonly manifestPath: string | null;
  /** Draw the live progress line on `stderr`. */
  readonly progress: boolean;
  readonly commandLine: readonly string[];
  readonly stop: AbortSignal;
  /** The paths as given, for the DFXML source and the evidence check ('-': read from stdin). */
  readonly sourcePaths?: readonly string[];
  /** Case metadata for the manifest and the report headers that have one. */
  readonly case?: CaseInfo | null;
  /**
   * Files whose exact digest is in a known-good list skip decoding and perceptual matching
   * (default true); false hashes and matches them fully, still reporting them known_good.
   */
  readonly knownGoodSkip?: boolean;
  /** Write the matched (and marked-new) files' hashes to a share file at the end; null: no. */
  readonly share?: ShareConfig | null;
  /** Audit the scanned files against a list that describes the tree (hashdeep -a); null: no. */
  readonly audit?: AuditList | null;
}

export interface ScanIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export interface ScanResult {
  readonly summary: ScanSummary;
  readonly interrupted: boolean;
  /** What the share file got (absent when none was asked for, or the scan was interrupted). */
  readonly share?: ShareOutcome;
  /** The audit's outcome (absent when none was asked for, or the scan was interrupted). */
  readonly audit?: AuditResult;
  /** Entries the include/exclude globs dropped (a pruned folder counts once). */
  readonly filtered: number;
  /** Regular files the walk found to hash (this run, done ones included). */
  readonly filesFound: number;
}

/** The options that shape a report: a resumed scan must use the same ones. */
function reportShape(c: ScanConfig): Record<string, unknown> {
  return {
    format: c.format,
    onlyMatches: c.onlyMatches,
    signals: c.signals.map((s) => s.name),
    lists: c.lists.map((l) => l.name),
    thresholds: Object.fromEntries(c.thresholds),
    dihedral: c.dihedral,
    hashOptions: c.hashOptions,
    knownGoodSkip: c.knownGoodSkip !== false,
    ...(c.categories ? { categories: c.categories } : {}),
  };
}

async function openCheckpoint(c: ScanConfig, startedAt: string): Promise<{ state: CheckpointState | null; writer: CheckpointWriter | null }> {
  if (c.checkpoint === null) return { state: null, writer: null };
  const report = resolve(c.out!);
  if (!c.resume) {
    if (existsSync(c.checkpoint)) {
      throw new UsageError(`Checkpoint ${c.checkpoint} already exists: set \`resume\` to continue that scan, or delete it to start over`);
    }
    return { state: null, writer: CheckpointWriter.create(c.checkpoint, { type: 'header', version: 1, startedAt, report, scan: reportShape(c) }) };
  }
  if (!existsSync(c.checkpoint)) throw new UsageError(`Cannot resume: checkpoint ${c.checkpoint} does not exist`);
  const state = await readCheckpoint(c.checkpoint);
  if (state.header.report !== report) {
    throw new UsageError(`Cannot resume: the checkpoint belongs to report ${state.header.report}, not ${report}`);
  }
  const differ = compareScanOptions(state.header.scan, reportShape(c));
  if (differ.length > 0) throw new UsageError(`Cannot resume: options differ from the interrupted scan (${differ.join(', ')})`);
  if (!existsSync(report)) throw new UsageError(`Cannot resume: the report ${report} is missing`);
  return { state, writer: CheckpointWriter.resume(c.checkpoint, state, startedAt) };
}

async function sharpVersions(): Promise<{ sharp: string | null; libvips: string | null }> {
  try {
    const { default: sharp } = await import('sharp');
    const v = sharp.versions as { sharp?: string; vips?: string };
    return { sharp: v.sharp ?? null, libvips: v.vips ?? null };
  } catch {
    return { sharp: null, libvips: null };
  }
}

function manifestList(l: ListInfo): ManifestList {
  return {
    name: l.name,
    kind: l.kind,
    version: l.version,
    sourceOrg: l.sourceOrg,
    sourceFile: l.sourceFile,
    sourceSha256: l.sourceSha256,
    importedAt: l.importedAt,
    signatureStatus: l.signatureStatus,
    keyFingerprint: l.keyFingerprint,
    entriesDigest: l.entriesDigest,
    counts: l.counts,
  };
}

function provenance(
  c: ScanConfig,
  versions: { sharp: string | null; libvips: string | null },
  host: { hostname: string; platform: string; release: string; arch: string },
  startedAt: string,
): ReportProvenance {
  const libraries = [
    { name: 'node', version: process.version },
    ...(versions.sharp ? [{ name: 'sharp', version: versions.sharp }] : []),
    ...(versions.libvips ? [{ name: 'libvips', version: versions.libvips }] : []),
  ];
  return { program: 'hashsieve', version: VERSION, commandLine: c.commandLine, libraries, host, startedAt, inputs: c.sourcePaths ?? c.countableInputs ?? [] };
}

/** Count the files a walk will see, in the background, for the progress line's total and ETA. */
async function countAhead(inputs: readonly FsPath[], opts: WalkOptions, progress: Progress, stop: AbortSignal): Promise<void> {
  let n = 0;
  for await (const item of walk(inputs, { ...opts, lazyStat: true })) {
    if (stop.aborted) return;
    n += 1;
  }
  progress.setTotal(n);
}

/** Walk, hash in the pool, match, and write the report, summary, checkpoint and manifest. */
export async function scan(c: ScanConfig, io: ScanIO): Promise<ScanResult> {
  const startedAt = new Date().toISOString();
  if (c.checkpoint !== null && c.out === null) throw new UsageError('`checkpoint` needs `out` (a report on stdout cannot be resumed)');
  if (c.resume && c.checkpoint === null) throw new UsageError('`resume` needs `checkpoint`');
  if (c.out !== null && !c.resume && c.overwrite !== true && existsSync(c.out)) {
    throw new UsageError(`\`out\` ${c.out} already exists; set \`overwrite\` to replace it`);
  }
  // The scan never reads what it writes.
  const walkOptions: WalkOptions = {
    ...c.walk,
    ownOutputs: [c.out, c.checkpoint, c.summaryPath, c.manifestPath].filter((p): p is string => p !== null),
  };
  const counters: WalkCounters = { filtered: 0, files: 0 };

  const outputs: OutputPath[] = [
    ...(c.out === null ? [] : [{ what: 'report', path: c.out }]),
    ...(c.checkpoint === null ? [] : [{ what: 'checkpoint', path: c.checkpoint }]),
    ...(c.summaryPath === null ? [] : [{ what: 'summary', path: c.summaryPath }]),
    ...(c.manifestPath === null ? [] : [{ what: 'manifest', path: c.manifestPath }]),
    ...(c.share ? [{ what: 'share file', path: c.share.path }] : []),
    ...(c.indexCache === null ? [] : [{ what: 'index cache folder', path: c.indexCache }]),
  ];
  if (c.audit && c.checkpoint !== null) {
    throw new UsageError('An audit cannot be combined with a checkpoint: the files of an interrupted run would count as missing');
  }
  if (c.share && c.checkpoint !== null) {
    throw new UsageError('A share file cannot be combined with a checkpoint: the matches of an interrupted run would be missing from it');
  }
  refuseOutputsInsideInputs(outputs, c.sourcePaths ?? c.countableInputs ?? []);
  const versions = await sharpVersions();
  const host = { hostname: hostname(), platform: process.platform, release: release(), arch: process.arch, cpus: cpus().length };
  const perceptualIndexed = new Set(c.signals.filter(isPerceptual).map((s) => s.name));
  const knownGoodLists = c.lists.filter((l) => l.kind === 'known-good').map((l) => l.name);
  const knownGood = buildKnownGoodSet(c.store, knownGoodLists, c.signals);
  for (const l of c.lists.filter((x) => x.kind === 'known-good')) {
    const perceptual = Object.entries(l.counts).filter(([name, n]) => n > 0 && SIGNALS.has(name) && isPerceptual(SIGNALS.get(name)!));
    for (const [name, n] of perceptual) {
      io.stderr.write(`hashsieve: warning: ${escapeControls(`known-good list ${l.name}`)} holds ${n} ${name} hashes; known-good lists match exact digests only, so they are not used\n`);
    }
  }
  const matcher = Matcher.build(c.store, {
    lists: c.lists.filter((l) => l.kind !== 'known-good').map((l) => l.name),
    signals: c.signals,
    thresholds: c.thresholds,
    dihedral: c.dihedral,
    indexCache: c.indexCache,
    categories: c.categories ?? null,
    onWarning: (message) => io.stderr.write(`hashsieve: warning: ${escapeControls(message)}\n`),
  });
  const { state, writer } = await openCheckpoint(c, startedAt);
  const totals = state?.totals ?? emptyTotals();
  const readerGone = new AbortController();
  const stop = AbortSignal.any([c.stop, readerGone.signal]);
  const sink = c.out === null ? streamSink(io.stdout, () => readerGone.abort()) : fileSink(c.out, state ? state.reportBytes : null);
  const formatter = createFormatter(c.format, {
    signals: c.signals.map((s) => s.name),
    qualitySignals: c.signals.filter((s) => isPerceptual(s) && s.minQuality !== null).map((s) => s.name),
    case: c.case ?? null,
    provenance: provenance(c, versions, host, state?.header.startedAt ?? startedAt),
  });
  const output = new ReportOutput({
    sink,
    formatter,
    onlyMatches: c.onlyMatches,
    checkpoint: writer,
    records: state?.records ?? 0,
    totals,
    streaming: c.out === null,
  });
  if (!state) output.begin();

  const sharing = c.share ? new ShareCollector() : null;
  const auditor = c.audit ? new Auditor(c.audit) : null;
  let tapped: Pick<Matcher, 'match'> = withKnownGood(matcher, knownGood);
  if (sharing) tapped = sharing.tap(tapped);
  if (auditor) tapped = auditor.tap(tapped);
  const poolOptions = { workers: c.workers, fileTimeoutMs: c.fileTimeoutMs };
  const hasher: Hasher = c.createHasher
    ? await c.createHasher(poolOptions)
    : c.workers === 0
      ? await createInlineHasher()
      : await createPool(poolOptions);
  const progress = c.progress ? new Progress(io.stderr, totals) : null;
  const countStop = new AbortController();
  if (progress && c.countableInputs) void countAhead(c.countableInputs, walkOptions, progress, countStop.signal).catch(() => undefined);

  let complete = false;
  try {
    complete = await runEngine({
      // The hasher (worker.ts) stats the files it reads, so the walk need not (WalkOptions.lazyStat).
      // A fixed list of inputs lets the walk see how many there are (one alone needs no duplicate checks).
      items: walk(c.countableInputs ?? c.inputs, { ...walkOptions, lazyStat: true, counters }),
      hasher,
      task: {
        signals: c.signals.map((s) => s.name),
        options: c.hashOptions,
        limits: c.limits,
        ...(c.knownGoodSkip !== false && knownGood.length > 0 && { knownGood }),
      },
      matcher: tapped,
      concurrency: hasher.concurrency ?? (c.workers === 0 ? 1 : c.workers * TASKS_IN_FLIGHT_PER_WORKER),
      output,
      done: state?.done ?? new Set(),
      stop,
      onProgress: progress ? () => progress.tick() : undefined,
    });
  } finally {
    countStop.abort();
    progress?.clear();
    await output.finish(complete);
    await hasher.close();
  }

  const summary = summarize(totals, !complete);
  const share = sharing && complete ? await sharing.write(c.share!, c.case ?? null, c.commandLine) : undefined;
  const audit = auditor && complete ? auditor.result() : undefined;
  if (c.summaryPath) await writeFile(c.summaryPath, `${JSON.stringify(audit ? { ...summary, audit } : summary, null, 2)}\n`, { mode: 0o600 });
  if (c.manifestPath && complete) {
    await writeManifest(c.manifestPath, {
      toolVersion: VERSION,
      runtime: { node: process.version, ...versions },
      commandLine: c.commandLine,
      cwd: process.cwd(),
      host,
      case: c.case ?? null,
      startedAt: state?.header.startedAt ?? startedAt,
      resumedAt: state ? [...state.resumedAt, startedAt] : [],
      endedAt: new Date().toISOString(),
      database: resolve(c.dbPath),
      lists: c.lists.map(manifestList),
      signals: c.signals.map((s) => s.name),
      thresholds: Object.fromEntries([...perceptualIndexed].map((n) => [n, c.thresholds.get(n)!])),
      options: {
        dihedral: c.dihedral,
        knownGoodSkip: c.knownGoodSkip !== false,
        categories: c.categories ?? null,
        pdqPipeline: c.hashOptions.pdqPipeline,
        blockhashBits: c.hashOptions.blockhashBits,
        onlyMatches: c.onlyMatches,
        followSymlinks: c.walk.followSymlinks,
        include: c.walk.include,
        exclude: c.walk.exclude,
        maxFileSize: c.walk.maxFileSize,
        workers: c.workers,
        fileTimeoutMs: c.fileTimeoutMs,
        limits: { ...(await import('../image/decode.js')).DEFAULT_DECODE_LIMITS, ...c.limits },
        indexedEntries: matcher.sizes(),
      },
      totals: summary,
      ...(audit && {
        audit: { list: resolve(audit.list), passed: audit.passed, matched: audit.matched, moved: audit.moved.length, new: audit.new.length, missing: audit.missing.length, unreadable: audit.unreadable.length },
      }),
      reportPath: c.out === null ? null : resolve(c.out),
      reportFormat: c.format,
    });
  }
  return {
    summary,
    interrupted: !complete,
    filtered: counters.filtered,
    filesFound: counters.files,
    ...(share && { share }),
    ...(audit && { audit }),
  };
}
