/** `hashsieve eval --video`: reads flags, runs the video evaluation, writes the summary and JSON. */
import { writeFile } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { parseCount, parseSeed } from '../args.js';
import { resolveFfmpeg } from '../../video/ffmpeg.js';
import { formatVideoEval, runVideoEval, VIDEO_FULL_SIZE, VIDEO_QUICK_SIZE } from '../../eval/video.js';

export interface VideoEvalFlags {
  readonly quick?: boolean;
  readonly seed?: string;
  readonly sources?: string;
  readonly transformed?: string;
  readonly json?: string;
}

export async function runVideoEvalCommand(flags: VideoEvalFlags, ctx: CliContext): Promise<void> {
  resolveFfmpeg();
  const base = flags.quick ? VIDEO_QUICK_SIZE : VIDEO_FULL_SIZE;
  const seed = flags.seed === undefined ? 1 : parseSeed('--seed', flags.seed);
  const sources = flags.sources === undefined ? base.sources : parseCount('--sources', flags.sources, 2);
  const transformed = flags.transformed === undefined ? Math.min(base.transformed, sources) : parseCount('--transformed', flags.transformed, 0);
  if (transformed > sources) throw new UsageError(`Expected --transformed (${transformed}) to be at most --sources (${sources})`);
  const progress = ctx.stderr.isTTY ? (done: number, total: number) => ctx.stderr.write(`\reval: ${done}/${total} videos${done === total ? '\n' : ''}`) : undefined;
  const result = await runVideoEval(seed, { ...base, sources, transformed }, {}, progress);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(result, null, 2)}\n`);
  ctx.stdout.write(formatVideoEval(result));
}
