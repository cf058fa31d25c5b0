import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { formatComparison, formatResult } from './bench-format.js';
import { compareResults } from '../../bench/gate.js';
import { parseCount, parsePercent, parseSeed } from '../args.js';
import { parseBenchResult, type BenchResult } from '../../bench/schema.js';

/** Options every `bench` subcommand takes, as commander hands them over (strings). */
export interface CommonFlags {
  readonly json?: boolean;
  readonly repeat?: string;
  readonly warmup?: string;
  readonly seed?: string;
  readonly baseline?: string;
  readonly maxRegression?: string;
  readonly requireAll?: boolean;
  readonly save?: string;
}

export interface CommonOptions {
  readonly json: boolean;
  readonly repeat: number;
  readonly warmup: number;
  readonly seed: number;
  readonly baselineFile: string | null;
  readonly baseline: BenchResult | null;
  readonly maxRegression: number;
  readonly requireAll: boolean;
  readonly save: string | null;
}

/** Exit codes of `bench`: a slower result is 1; wrong answers are fatal, like a usage error, 2. */
export const BENCH_EXIT = Object.freeze({ REGRESSED: 1, WRONG_ANSWERS: 2 });

export const DEFAULT_SEED = 1;
export const DEFAULT_MAX_REGRESSION = '10%';

async function loadBaseline(file: string): Promise<BenchResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read the baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not a hashsieve bench JSON result: not valid JSON`);
  }
  return parseBenchResult(json, file);
}

/** Validate the shared flags and read the baseline first, so a bad file fails before any timing. */
export async function parseCommon(f: CommonFlags, defaultRepeat: number): Promise<CommonOptions> {
  const seed = parseSeed('--seed', f.seed ?? DEFAULT_SEED);
  if (!f.baseline && (f.maxRegression !== undefined || f.requireAll)) {
    throw new UsageError('--max-regression and --require-all need --baseline FILE');
  }
  return {
    json: f.json ?? false,
    repeat: parseCount('--repeat', f.repeat ?? defaultRepeat),
    warmup: parseCount('--warmup', f.warmup ?? 1, 0),
    seed,
    baselineFile: f.baseline ?? null,
    baseline: f.baseline ? await loadBaseline(f.baseline) : null,
    maxRegression: parsePercent('--max-regression', f.maxRegression ?? DEFAULT_MAX_REGRESSION),
    requireAll: f.requireAll ?? false,
    save: f.save ?? null,
  };
}

/** A live status line on stderr when it is a terminal; nothing otherwise. */
export function progressLine(ctx: CliContext): { update(message: string): void; done(): void } {
  let shown = false;
  return {
    update(message) {
      if (!ctx.stderr.isTTY) return;
      ctx.stderr.write(`\r\x1b[K${message}`);
      shown = true;
    },
    done() {
      if (shown) ctx.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Print the result (table or JSON), compare it with the baseline, save it, and set the exit
 * code: 2 when the benchmark gave wrong answers (nothing saved), else 1 when the gate failed.
 */
export async function finish(result: BenchResult, header: string, opts: CommonOptions, ctx: CliContext): Promise<void> {
  const comparison = opts.baseline
    ? compareResults(result, opts.baseline, { maxRegression: opts.maxRegression, requireAll: opts.requireAll })
    : null;
  if (opts.json) {
    ctx.stdout.write(`${JSON.stringify(comparison ? { ...result, comparison } : result, null, 2)}\n`);
  } else {
    ctx.stdout.write(formatResult(result, header));
  }
  if (comparison) {
    const text = formatComparison(comparison, opts.baselineFile ?? '');
    (opts.json ? ctx.stderr : ctx.stdout).write(`${opts.json ? '' : '\n'}${text}`);
  }
  if (result.crossCheck && !result.crossCheck.ok) {
    ctx.stderr.write(
      `hashsieve: bench: wrong answers: ${result.crossCheck.mismatches} of ${result.crossCheck.queries} sampled queries ` +
        `differ from LinearIndex; figures are void${opts.save ? `, ${opts.save} not written` : ''}\n`,
    );
    ctx.setExitCode(BENCH_EXIT.WRONG_ANSWERS);
    return;
  }
  if (opts.save) await writeFile(opts.save, `${JSON.stringify(result, null, 2)}\n`);
  if (comparison?.failed) ctx.setExitCode(BENCH_EXIT.REGRESSED);
}
