/** `hashsieve bench video`: reads flags, runs the bounded video benchmark, prints the table (or JSON). */
import os from 'node:os';
import type { CliContext } from '../context.js';
import { resolveFfmpeg } from '../../video/ffmpeg.js';
import { parseCount, parseCountList, parseDimensions, parseList, parseSeed } from '../args.js';
import { formatVideoBench, runFrameTiming, runVideoLookup, runVideoThroughput, type VideoBenchConfig } from '../../bench/video.js';

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
  const sizes = parseList('--sizes', f.sizes ?? '1280x720,1920x1080').map((s) => parseDimensions('--sizes', s).join('x'));
  const config: VideoBenchConfig = {
    sizes,
    seconds: parseCount('--seconds', f.seconds ?? '10'),
    rate: 30,
    workers: f.workers ? parseCountList('--workers', f.workers) : [...new Set([1, Math.min(2, os.availableParallelism())])],
    rounds: parseCount('--repeat', f.repeat ?? '3'),
    listVideos: parseCount('--list-videos', f.listVideos ?? '10000'),
    framesPerVideo: parseCount('--frames', f.frames ?? '30'),
    queries: parseCount('--queries', f.queries ?? '200'),
    seed: parseSeed('--seed', f.seed ?? '1'),
  };
  if (!f.skipThroughput) resolveFfmpeg();
  const status = ctx.stderr.isTTY ? (s: string) => ctx.stderr.write(`\r\u001b[2K${s}`) : undefined;
  const frames = f.skipThroughput ? [] : runFrameTiming(sizes, 5, config.seed);
  const throughput = f.skipThroughput ? [] : await runVideoThroughput(config, status);
  if (status) ctx.stderr.write('\r\u001b[2K');
  const lookup = f.skipLookup ? null : runVideoLookup(config);
  const result = { config, frames, throughput, lookup, load: os.loadavg(), cpus: os.availableParallelism() };
  ctx.stdout.write(f.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatVideoBench(result)}load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.availableParallelism()} CPUs\n`);
}
