/** `hashsieve bench scan`: reads flags, runs the scan benchmark, prints its Markdown report. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScanBench } from '../../bench/scan-bench.js';
import { DEFAULT_HASH_OPTIONS, PDQ_PIPELINES } from '../../signals/types.js';
import { parseCount, parseCountList, parseDuration, parseEnum, parseSeed } from '../args.js';
import { DEFAULT_FILE_TIMEOUT } from '../commands/scan.js';
import type { CliContext } from '../context.js';

export interface ScanBenchFlags {
  readonly small: string;
  readonly large: string;
  readonly list: string;
  readonly tiny: string;
  readonly workers: string;
  readonly rounds: string;
  readonly seed: string;
  readonly pipeline?: string;
  readonly cache?: string;
}

export async function runScanBenchCommand(f: ScanBenchFlags, ctx: CliContext): Promise<void> {
  const options = {
    small: parseCount('--small', f.small, 0),
    large: parseCount('--large', f.large, 0),
    list: parseCount('--list', f.list, 0),
    tiny: parseCount('--tiny', f.tiny, 0),
    workers: parseCountList('--workers', f.workers),
    rounds: parseCount('--rounds', f.rounds),
    seed: parseSeed('--seed', f.seed),
    pipeline: f.pipeline === undefined ? DEFAULT_HASH_OPTIONS.pdqPipeline : parseEnum('--pipeline', f.pipeline, PDQ_PIPELINES),
    cache: f.cache ?? join(tmpdir(), 'hashsieve-bench-scan'),
    fileTimeoutMs: parseDuration('--file-timeout', DEFAULT_FILE_TIMEOUT),
  };
  await runScanBench(
    options,
    (line = '') => ctx.stdout.write(`${line}\n`),
    (line) => ctx.stderr.write(`${line}\n`),
  );
}
