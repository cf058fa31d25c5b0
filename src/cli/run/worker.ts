import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors.js';
import { parseRedisUrl, checkRedis } from '../../fleet/connection.js';
import type { PathMapping } from '../../fleet/codec.js';
import { startFleetWorker } from '../../fleet/worker-loop.js';
import { parseCount, parseDuration } from '../args.js';
import type { CliContext } from '../context.js';

/** The worker command's options as commander parses them. */
export interface WorkerCommandOptions {
  queue?: string;
  workers?: string;
  pathMap?: string[];
  fileTimeout: string;
  ffmpeg?: string;
  decode: boolean;
  quiet?: boolean;
}

export function parsePathMap(specs: readonly string[]): PathMapping[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`Expected --path-map like /mnt/evidence=/srv/evidence but received ${JSON.stringify(spec)}`);
    return { from: Buffer.from(spec.slice(0, eq), 'utf8'), to: Buffer.from(spec.slice(eq + 1), 'utf8') };
  });
}

export async function runWorkerCommand(opts: WorkerCommandOptions, ctx: CliContext): Promise<void> {
  const threads = opts.workers === undefined ? availableParallelism() : parseCount('--workers', opts.workers, 1);
  const fileTimeoutMs = parseDuration('--file-timeout', opts.fileTimeout);
  const pathMap = parsePathMap(opts.pathMap ?? []);
  const target = parseRedisUrl(opts.queue!, ctx.env.HASHSIEVE_REDIS_PASSWORD);
  await checkRedis(target);
  const say = (m: string): void => {
    if (!opts.quiet) ctx.stderr.write(`hashsieve: ${m}\n`);
  };
  const worker = await startFleetWorker({
    target,
    threads,
    fileTimeoutMs,
    pathMap,
    ...(opts.ffmpeg !== undefined && { ffmpeg: { ffmpegPath: opts.ffmpeg } }),
    decode: opts.decode,
    onNotice: (m) => ctx.stderr.write(`hashsieve: ${m}\n`),
  });
  say(`worker ${worker.id} takes batches from ${target.display} with ${threads} thread(s)${opts.decode ? '' : ' (stat only, no decoding)'}`);
  await new Promise<void>((resolve, reject) => {
    let signals = 0;
    const onSignal = (): void => {
      signals += 1;
      if (signals === 1) {
        say('stopping: finishing the batches in hand (signal again to leave them to other workers)');
        worker.stop(false).then(resolve, reject);
      } else {
        say('stopping now: the batches in hand go to other workers when their lock expires');
        worker.stop(true).then(resolve, reject);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  say(`worker ${worker.id} stopped after ${worker.files()} file(s)`);
}
