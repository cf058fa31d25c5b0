/** `hashsieve hash`: the scan's input path (walk, stdin, -0, globs, symlink policy) and the report writers, via hashFiles. */
import { stat } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { hashFile, type HashRequest } from '../../hash.js';
import { formatVpdqFile } from '../../signals/vpdq.js';
import type { HashFormat } from '../../report/hash-formats.js';
import { hashFiles } from '../../scan/hash-files.js';
import { expandInputs } from '../../scan/inputs.js';
import type { WalkOptions } from '../../scan/walk.js';
import type { SignalType } from '../../signals/types.js';
import { EXIT, type CliContext } from '../context.js';

export type { HashFormat } from '../../report/hash-formats.js';

export interface HashRun {
  readonly inputs: readonly string[];
  /** Paths on stdin are NUL-separated. */
  readonly nul: boolean;
  readonly walk: WalkOptions;
  readonly signals: readonly SignalType[];
  readonly request: HashRequest;
  readonly format: HashFormat;
  readonly workers: number;
  readonly out: string | null;
  readonly force: boolean;
}

export async function runHash(run: HashRun, ctx: CliContext): Promise<void> {
  if (run.format === 'vpdq') return runVpdqFormat(run, ctx);
  const stop = interruptOnSignals(run);
  const result = await hashFiles(
    {
      inputs: expandInputs(run.inputs, ctx.stdin, run.nul ? '\0' : '\n'),
      walk: run.walk,
      signals: run.signals,
      request: stop.request,
      concurrency: run.workers,
      format: run.format,
      out: run.out,
      overwrite: run.force,
    },
    ctx,
  ).finally(() => stop.release());
  if (stop.signal.aborted) {
    ctx.setExitCode(EXIT.INTERRUPTED);
    return;
  }
  if (result.files === 0 && result.filtered > 0) {
    ctx.stderr.write(`hashsieve: --include/--exclude left no file to hash (${result.filtered} entries filtered out)\n`);
    ctx.setExitCode(EXIT.USAGE);
    return;
  }
  if (result.failed > 0) ctx.stderr.write(`hashsieve: ${result.failed} of ${result.records} files could not be fully hashed\n`);
  ctx.setExitCode(result.failed > 0 ? EXIT.FILE_ERRORS : EXIT.OK);
}

/**
 * Ctrl-C or SIGTERM while hashing: abort the videos in flight (their ffmpeg children are killed)
 * and end with the interrupted exit code.
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

/** `--format vpdq`: one video file's frames in the reference's own line format, nothing else on stdout. */
async function runVpdqFormat(run: HashRun, ctx: CliContext): Promise<void> {
  const file = run.inputs.length === 1 && run.inputs[0] !== '-' ? run.inputs[0] : null;
  if (file === null || !(await stat(file).catch(() => null))?.isFile() || run.out !== null) {
    throw new UsageError('The vpdq format prints the frames of exactly one video file on stdout; give one file');
  }
  const stop = interruptOnSignals(run);
  const r = await hashFile(file, stop.request).finally(() => stop.release());
  if (stop.signal.aborted) {
    ctx.setExitCode(EXIT.INTERRUPTED);
    return;
  }
  if (r.error || !r.video) {
    const why = r.error ? `${r.error.code}: ${r.error.message}` : 'not a video container';
    ctx.stderr.write(`hashsieve: ${r.path}: ${why}\n`);
    ctx.setExitCode(EXIT.FILE_ERRORS);
    return;
  }
  ctx.stdout.write(formatVpdqFile(r.video.frames));
  ctx.setExitCode(EXIT.OK);
}
