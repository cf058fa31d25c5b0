/** `hashsieve hash`: the scan's input path (walk, stdin, -0, globs, symlink policy) and the report writers, via hashFiles. */
import type { HashRequest } from '../../hash.js';
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
  const result = await hashFiles(
    {
      inputs: expandInputs(run.inputs, ctx.stdin, run.nul ? '\0' : '\n'),
      walk: run.walk,
      signals: run.signals,
      request: run.request,
      concurrency: run.workers,
      format: run.format,
      out: run.out,
      overwrite: run.force,
    },
    ctx,
  );
  if (result.files === 0 && result.filtered > 0) {
    ctx.stderr.write(`hashsieve: --include/--exclude left no file to hash (${result.filtered} entries filtered out)\n`);
    ctx.setExitCode(EXIT.USAGE);
    return;
  }
  if (result.failed > 0) ctx.stderr.write(`hashsieve: ${result.failed} of ${result.records} files could not be fully hashed\n`);
  ctx.setExitCode(result.failed > 0 ? EXIT.FILE_ERRORS : EXIT.OK);
}
