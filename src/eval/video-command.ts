/** `hashsieve eval --video`: reads flags, runs the video evaluation, writes the summary and JSON. */
import { writeFile } from 'node:fs/promises';
import type { CliContext } from '../cli/context.js';
import { invalidParameterError, UsageError } from '../errors.js';
import { resolveFfmpeg } from '../video/ffmpeg.js';
import { formatVideoEval, runVideoEval, VIDEO_FULL_SIZE, VIDEO_QUICK_SIZE } from './video.js';

export interface VideoEvalFlags {
  readonly quick?: boolean;
  readonly seed?: string;
  readonly sources?: string;
  readonly transformed?: string;
  readonly json?: string;
}

function integerFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw invalidParameterError(name, `integer >= ${min}`, value);
  return n;
}

export async function runVideoEvalCommand(flags: VideoEvalFlags, ctx: CliContext): Promise<void> {
  resolveFfmpeg();
  const base = flags.quick ? VIDEO_QUICK_SIZE : VIDEO_FULL_SIZE;
  const seed = integerFlag('--seed', flags.seed, 1, 0);
  const sources = integerFlag('--sources', flags.sources, base.sources, 2);
  const transformed = integerFlag('--transformed', flags.transformed, Math.min(base.transformed, sources), 0);
  if (transformed > sources) throw new UsageError(`Expected --transformed (${transformed}) to be at most --sources (${sources})`);
  const progress = ctx.stderr.isTTY ? (done: number, total: number) => ctx.stderr.write(`\reval: ${done}/${total} videos${done === total ? '\n' : ''}`) : undefined;
  const result = await runVideoEval(seed, { ...base, sources, transformed }, {}, progress);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(result, null, 2)}\n`);
  ctx.stdout.write(formatVideoEval(result));
}
