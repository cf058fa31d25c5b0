/** `hashsieve eval`: reads flags, runs the evaluation, writes the summary, JSON and SVGs. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { TRANSFORMS } from '../../synthetic/transforms.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { invalidArgument, parseCount, parseSeed } from '../args.js';
import { isPerceptual, parseSignalList, SIGNALS } from '../../signals/registry.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PerceptualSignalType } from '../../signals/types.js';
import { VERSION } from '../../version.js';
import { bufferHasher } from '../../eval/hashing.js';
import { buildReport, formatSummary, reportJson } from '../../eval/report.js';
import { FULL_SIZE, QUICK_SIZE, runEval, type EvalSize } from '../../eval/run.js';
import { heatTableSvg, histogramSvg } from '../../eval/svg.js';

export interface EvalFlags {
  readonly quick?: boolean;
  readonly seed?: string;
  readonly signals?: string;
  readonly sources?: string;
  readonly transformed?: string;
  readonly workers?: string;
  readonly json?: boolean;
  readonly save?: string;
  readonly svgDir?: string;
}

const DEFAULT_SEED = 1;
const DEFAULT_CONCURRENCY = 2;
export const HEAT_TABLE_FILE = 'transforms.svg';

function integerFlag(flag: string, value: string | undefined, fallback: number, min: number): number {
  return value === undefined ? fallback : parseCount(flag, value, min);
}

function chooseSignals(spec: string | undefined): PerceptualSignalType[] {
  const all = spec === undefined ? [...SIGNALS.values()] : parseSignalList(spec);
  const perceptual = all.filter(isPerceptual);
  const exact = all.filter((s) => !isPerceptual(s));
  if (spec !== undefined && exact.length > 0) {
    throw new UsageError(`eval measures perceptual signals only; ${exact.map((s) => s.name).join(', ')} match exactly or not at all`);
  }
  return perceptual;
}

export async function runEvalCommand(flags: EvalFlags, ctx: CliContext): Promise<void> {
  const quick = flags.quick === true;
  const base = quick ? QUICK_SIZE : FULL_SIZE;
  const seed = parseSeed('--seed', flags.seed ?? DEFAULT_SEED);
  const unrelatedSources = integerFlag('--sources', flags.sources, base.unrelatedSources, 2);
  const transformedSources = integerFlag('--transformed', flags.transformed, Math.min(base.transformedSources, unrelatedSources), 0);
  if (transformedSources > unrelatedSources) {
    throw invalidArgument('--transformed', `at most --sources (${unrelatedSources})`, transformedSources);
  }
  const size: EvalSize = { ...base, unrelatedSources, transformedSources };
  const concurrency = integerFlag('--workers', flags.workers, DEFAULT_CONCURRENCY, 1);
  const signals = chooseSignals(flags.signals);
  const hashOptions: HashOptions = { ...DEFAULT_HASH_OPTIONS, dihedral: signals.some((s) => s.supportsDihedral) };

  const started = performance.now();
  const progress = ctx.stderr.isTTY
    ? (done: number, total: number) => {
        if (done === total || done % 10 === 0) ctx.stderr.write(`\reval: ${done}/${total} sources${done === total ? '\n' : ''}`);
      }
    : undefined;
  const result = await runEval({
    seed,
    size,
    signals,
    transforms: TRANSFORMS,
    hasher: bufferHasher(signals, hashOptions),
    concurrency,
    onProgress: progress,
  });
  const report = buildReport(
    {
      version: VERSION,
      environment: { node: process.version, sharp: sharp.versions.sharp, vips: sharp.versions.vips, platform: `${process.platform}-${process.arch}` },
      seed,
      quick,
      size,
      hashOptions,
      transforms: TRANSFORMS,
      totalSeconds: (performance.now() - started) / 1000,
    },
    result,
  );

  if (flags.save) await writeFile(flags.save, reportJson(report));
  if (flags.svgDir) {
    await mkdir(flags.svgDir, { recursive: true });
    for (const v of report.signals) await writeFile(join(flags.svgDir, `${v.id}.svg`), histogramSvg(v));
    await writeFile(join(flags.svgDir, HEAT_TABLE_FILE), heatTableSvg(report));
  }
  if (flags.json) {
    ctx.stdout.write(reportJson(report));
    return;
  }
  ctx.stdout.write(formatSummary(report));
  ctx.stdout.write(`(${report.timing.totalSeconds.toFixed(1)} s)\n`);
}
