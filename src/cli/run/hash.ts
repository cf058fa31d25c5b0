/** `hashsieve hash`: walk the inputs, hash with bounded concurrency, write records in input order. */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hashFile, type HashRequest } from '../../hash.js';
import type { FileHashResult } from '../../results.js';
import { csvField } from '../../report/formats.js';
import { DIHEDRAL_NAMES, type SignalType } from '../../signals/types.js';
import { EXIT, type CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { formatVpdqFile } from '../../signals/vpdq.js';

export type HashFormat = 'ndjson' | 'csv' | 'text' | 'vpdq';

export interface HashRun {
  readonly inputs: readonly string[];
  readonly signals: readonly SignalType[];
  readonly request: HashRequest;
  readonly format: HashFormat;
  readonly jobs: number;
}

const STDIN_MARK = '-';
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function* readLines(ctx: CliContext): AsyncGenerator<string> {
  for await (const line of createInterface({ input: ctx.stdin, crlfDelay: Infinity })) {
    if (line.trim() !== '') yield line.replace(/\r$/, '');
  }
}

/** Files under a directory, sorted by name at every level; symbolic links to directories are not followed. */
async function* walkDir(dir: string): AsyncGenerator<string | FileHashResult> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    yield { path: dir, size: 0, hashes: {}, error: { code: 'UNREADABLE', message: `The directory could not be read${code ? ` (${code})` : ''}` } };
    return;
  }
  entries.sort((a, b) => byCodeUnit(a.name, b.name));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* walkDir(path);
    else if (e.isSymbolicLink()) {
      const target = await stat(path).catch(() => null);
      if (!target?.isDirectory()) yield path;
    } else yield path;
  }
}

/**
 * Every path to hash, in input order; `-` expands to the paths on stdin, directories to their
 * files. A directory that cannot be listed comes out as a ready error row.
 */
export async function* expandInputs(inputs: readonly string[], ctx: CliContext): AsyncGenerator<string | FileHashResult> {
  for (const input of inputs) {
    if (input === STDIN_MARK) {
      for await (const line of readLines(ctx)) yield* expandOne(line);
    } else yield* expandOne(input);
  }
}

async function* expandOne(path: string): AsyncGenerator<string | FileHashResult> {
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory()) yield* walkDir(path);
  else yield path;
}

function csvColumns(signals: readonly SignalType[], dihedral: boolean): string[] {
  const cols = ['path', 'size', 'width', 'height', 'format'];
  for (const s of signals) {
    if (s.kind === 'video') {
      cols.push(`${s.name}_frames`);
      continue;
    }
    cols.push(s.name);
    if (s.kind === 'perceptual' && s.minQuality !== null) cols.push(`${s.name}_quality`, `${s.name}_low_quality`);
    if (dihedral && s.kind === 'perceptual' && s.supportsDihedral) cols.push(...DIHEDRAL_NAMES.map((d) => `${s.name}_${d}`));
  }
  return [...cols, 'error_code', 'error_message'];
}

function csvRow(r: FileHashResult, signals: readonly SignalType[], dihedral: boolean): string {
  const row: unknown[] = [r.path, r.size, r.width, r.height, r.format];
  for (const s of signals) {
    if (s.kind === 'video') {
      row.push(r.video?.frames.length);
      continue;
    }
    const h = r.hashes[s.name];
    row.push(h?.hash);
    if (s.kind === 'perceptual' && s.minQuality !== null) row.push(h?.quality, h ? Boolean(h.lowQuality) : undefined);
    if (dihedral && s.kind === 'perceptual' && s.supportsDihedral) row.push(...DIHEDRAL_NAMES.map((d) => h?.dihedral?.[d]));
  }
  row.push(r.error?.code, r.error?.message);
  return row.map(csvField).join(',');
}

function textLine(r: FileHashResult): string {
  const parts = Object.entries(r.hashes).map(([name, h]) => {
    const q = h.quality === undefined ? '' : ` q=${h.quality}${h.lowQuality ? ' (low quality)' : ''}`;
    return `${name}:${h.hash}${q}`;
  });
  if (r.video) parts.push(`vpdq:${r.video.frames.length} frames`);
  if (r.error) parts.push(`error ${r.error.code}: ${r.error.message}`);
  return `${r.path}\t${parts.join('  ')}`;
}

function ndjsonLine(r: FileHashResult): string {
  const { path, size, width, height, format, error } = r;
  const hashes = r.video ? { ...r.hashes, vpdq: r.video.frames } : r.hashes;
  const video = r.video && { frameRate: r.video.frameRate, secondsPerHash: r.video.secondsPerHash, codec: r.video.codec };
  return JSON.stringify({ path, size, hashes, width, height, format, video, error });
}

async function write(ctx: CliContext, text: string): Promise<void> {
  if (!ctx.stdout.write(text)) await new Promise<void>((done) => ctx.stdout.once('drain', done));
}

export async function runHash(run: HashRun, ctx: CliContext): Promise<void> {
  const dihedral = Boolean(run.request.hashOptions?.dihedral);
  if (run.format === 'vpdq') return runVpdqFormat(run, ctx);
  const line =
    run.format === 'csv'
      ? (r: FileHashResult) => csvRow(r, run.signals, dihedral)
      : run.format === 'text'
        ? textLine
        : ndjsonLine;
  if (run.format === 'csv') await write(ctx, `${csvColumns(run.signals, dihedral).join(',')}\n`);

  let files = 0;
  let failed = 0;
  const stop = interruptOnSignals(run);
  const inFlight: Promise<FileHashResult>[] = [];
  const emit = async (r: FileHashResult) => {
    files++;
    if (r.error) failed++;
    await write(ctx, `${line(r)}\n`);
  };
  for await (const item of expandInputs(run.inputs, ctx)) {
    if (stop.signal.aborted) break;
    const p = typeof item === 'string' ? hashFile(item, stop.request) : Promise.resolve(item);
    p.catch(() => undefined);
    inFlight.push(p);
    if (inFlight.length >= run.jobs) await emit(await inFlight.shift()!);
  }
  while (inFlight.length > 0) await emit(await inFlight.shift()!);
  stop.release();
  if (stop.signal.aborted) {
    ctx.setExitCode(EXIT.INTERRUPTED);
    return;
  }

  if (failed > 0) ctx.stderr.write(`hashsieve: ${failed} of ${files} files could not be fully hashed\n`);
  ctx.setExitCode(failed > 0 ? EXIT.FILE_ERRORS : EXIT.OK);
}

/** `--format vpdq`: one video's frames in the reference's own line format, nothing else on stdout. */
async function runVpdqFormat(run: HashRun, ctx: CliContext): Promise<void> {
  const items: (string | FileHashResult)[] = [];
  for await (const item of expandInputs(run.inputs, ctx)) items.push(item);
  if (items.length !== 1 || typeof items[0] !== 'string') {
    throw new UsageError('The vpdq format prints the frames of exactly one video file; give one file');
  }
  const stop = interruptOnSignals(run);
  const r = await hashFile(items[0], stop.request).finally(() => stop.release());
  if (stop.signal.aborted) {
    ctx.setExitCode(EXIT.INTERRUPTED);
    return;
  }
  if (r.error || !r.video) {
    const why = r.error ? `${r.error.code}: ${r.error.message}` : 'NOT_A_VIDEO: the file is not a video container';
    ctx.stderr.write(`hashsieve: ${r.path}: ${why}\n`);
    ctx.setExitCode(EXIT.FILE_ERRORS);
    return;
  }
  await write(ctx, formatVpdqFile(r.video.frames));
  ctx.setExitCode(EXIT.OK);
}

/**
 * Ctrl-C or SIGTERM while hashing: abort the videos in flight (their ffmpeg children are killed),
 * start no new file, and end with the interrupted exit code.
 */
function interruptOnSignals(run: HashRun): { signal: AbortSignal; request: HashRequest; release(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    request: { ...run.request, video: { ...run.request.video, signal: controller.signal } },
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
