/** `hashsieve bench video`: reads flags, runs the bounded video benchmark, prints the table (or JSON). */
import os from 'node:os';
import type { CliContext } from '../cli/context.js';
import { UsageError } from '../errors.js';
import { resolveFfmpeg } from '../video/ffmpeg.js';
import { positiveInt, positiveIntList } from './params.js';
import { formatVideoBench, runVideoLookup, runVideoThroughput, type VideoBenchConfig } from './video.js';

export interface VideoBenchFlags {
  readonly sizes?: string;
  readonly seconds?: string;
  readonly workers?: string;
  readonly repeat?: string;
  readonly listVideos?: string;
  readonly frames?: string;
  readonly queries?: string;
  readonly seed?: string;
  readonly skipThroughput?: boolean;
  readonly skipLookup?: boolean;
  readonly json?: boolean;
}

export async function runVideoBenchCommand(f: VideoBenchFlags, ctx: CliContext): Promise<void> {
  const sizes = (f.sizes ?? '1280x720,1920x1080').split(',').map((s) => s.trim());
  for (const s of sizes) if (!/^\d{2,5}x\d{2,5}$/.test(s)) throw new UsageError(`Expected --sizes like 1280x720,1920x1080 but received ${s}`);
  const config: VideoBenchConfig = {
    sizes,
    seconds: positiveInt('--seconds', f.seconds ?? '10'),
    rate: 30,
    workers: f.workers ? positiveIntList('--workers', f.workers) : [...new Set([1, Math.min(2, os.availableParallelism())])],
    rounds: positiveInt('--repeat', f.repeat ?? '3'),
    listVideos: positiveInt('--list-videos', f.listVideos ?? '10000'),
    framesPerVideo: positiveInt('--frames', f.frames ?? '30'),
    queries: positiveInt('--queries', f.queries ?? '200'),
    seed: positiveInt('--seed', f.seed ?? '1'),
  };
  if (!f.skipThroughput) resolveFfmpeg();
  const status = ctx.stderr.isTTY ? (s: string) => ctx.stderr.write(`\r\u001b[2K${s}`) : undefined;
  const throughput = f.skipThroughput ? [] : await runVideoThroughput(config, status);
  if (status) ctx.stderr.write('\r\u001b[2K');
  const lookup = f.skipLookup ? null : runVideoLookup(config);
  const result = { config, throughput, lookup, load: os.loadavg(), cpus: os.availableParallelism() };
  ctx.stdout.write(f.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatVideoBench(result)}load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.availableParallelism()} CPUs\n`);
}
