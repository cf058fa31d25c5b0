import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { decodeShapeFor } from '../../hash.js';
import { getSignal, parseSignalList, signalNames } from '../../signals/registry.js';
import { DEFAULT_HASH_OPTIONS } from '../../signals/types.js';
import { finish, parseCommon, progressLine, type CommonFlags } from './bench-common.js';
import { HASH_DEFAULTS } from './bench-defaults.js';
import { captureEnvironment } from '../../bench/environment.js';
import { runHashBench, type HashMode } from '../../bench/hash-bench.js';
import { startHashPool } from '../../bench/hash-pool.js';
import { checkAtMost, parseCorpusSpec, parseCountList, type CorpusSpec } from '../args.js';
import { BENCH_SCHEMA, type BenchResult } from '../../bench/schema.js';

export interface HashFlags extends CommonFlags {
  readonly generate?: string;
  readonly algo?: string;
  readonly workers?: string;
}

const GENERATED_JPEG_QUALITY = 90;
const MAX_GENERATED = 100_000;

async function generateCorpus(spec: CorpusSpec, seed: number, dir: string, ctx: CliContext): Promise<string[]> {
  const [{ generateSource }, { default: sharp }] = await Promise.all([import('../../synthetic/images.js'), import('sharp')]);
  const paths: string[] = [];
  const status = progressLine(ctx);
  for (let i = 0; i < spec.count; i++) {
    const png = await generateSource((seed + i) >>> 0, spec.width, spec.height);
    const path = join(dir, `synthetic-${String(i).padStart(6, '0')}.jpg`);
    await writeFile(path, await sharp(png).jpeg({ quality: GENERATED_JPEG_QUALITY }).toBuffer());
    paths.push(path);
    status.update(`generating synthetic images: ${i + 1}/${spec.count}`);
  }
  status.done();
  return paths;
}

async function collectFiles(inputs: readonly string[]): Promise<{ paths: string[]; bytes: number }> {
  const { walk } = await import('../../scan/walk.js');
  const { pathFields } = await import('../../report/path-text.js');
  const paths: string[] = [];
  let bytes = 0;
  for await (const item of walk(inputs, { followSymlinks: false, include: [], exclude: [], maxFileSize: null })) {
    if (item.kind === 'error') throw new UsageError(`Cannot read ${String(item.path)}: ${item.error.message}`);
    if (item.kind !== 'file') continue;
    if (typeof item.path !== 'string') throw new UsageError(`The benchmark takes files whose names are UTF-8; rename ${pathFields(item.path).path}`);
    paths.push(item.path);
    bytes += item.size ?? 0; // never null: this walk stats every file (no lazyStat)
  }
  if (paths.length === 0) throw new UsageError('Expected at least one file to benchmark but found none');
  return { paths, bytes };
}

export async function runHashCommand(inputs: readonly string[], f: HashFlags, ctx: CliContext): Promise<void> {
  const common = await parseCommon(f, HASH_DEFAULTS.repeat);
  if (inputs.length > 0 && f.generate !== undefined) throw new UsageError('Give either paths or --generate, not both');
  const spec = inputs.length === 0 ? parseCorpusSpec('--generate', f.generate ?? HASH_DEFAULTS.generate) : null;
  if (spec) checkAtMost('--generate count', spec.count, MAX_GENERATED, 'images generated');
  // Video signals hash video files (bench video), not images.
  const signals = parseSignalList(f.algo ?? signalNames().filter((n) => getSignal(n).kind !== 'video').join(','));
  const workers = f.workers ? parseCountList('--workers', f.workers) : [...new Set([1, os.availableParallelism()])];
  const modes: HashMode[] = [
    { name: 'decode', kind: 'decode', signals: [] },
    ...signals.map((s): HashMode => ({ name: s.name, kind: 'hash', signals: [s.name] })),
    ...(signals.length > 1 ? [{ name: 'all', kind: 'hash', signals: signals.map((s) => s.name) } as HashMode] : []),
  ];
  const environment = await captureEnvironment();
  const startedAt = new Date().toISOString();
  const tmp = spec ? await mkdtemp(join(os.tmpdir(), 'hashsieve-bench-')) : null;
  try {
    const corpus = spec
      ? { paths: await generateCorpus(spec, common.seed, tmp!, ctx), label: `generated:${spec.width}x${spec.height}:${spec.count}:jpeg` }
      : await collectFiles(inputs).then(({ paths, bytes }) => ({ paths, label: `files:${paths.length}:${bytes}` }));
    const shape = decodeShapeFor(signals, DEFAULT_HASH_OPTIONS);
    const status = progressLine(ctx);
    const out = await runHashBench(
      { corpus: corpus.label, images: corpus.paths.length, modes, workers, repeat: common.repeat, warmup: common.warmup },
      (w) => startHashPool(corpus.paths, w, shape),
      status.update,
    ).finally(status.done);
    const failed = Object.entries(out.errors).map(([m, codes]) => `${m}: ${Object.entries(codes).map(([c, n]) => `${n} ${c}`).join(', ')}`);
    const result: BenchResult = {
      schema: BENCH_SCHEMA,
      kind: 'hash',
      startedAt,
      seed: common.seed,
      parameters: {
        corpus: corpus.label,
        images: corpus.paths.length,
        signals: signals.map((s) => s.name).join(','),
        workers: workers.join(','),
        pdqPipeline: DEFAULT_HASH_OPTIONS.pdqPipeline,
        decodeMinSide: shape.minSide,
        decodeRgba: shape.rgba,
        repeat: common.repeat,
        warmup: common.warmup,
      },
      environment,
      figures: out.figures,
      notes: [...out.notes, ...failed.map((s) => `files that failed (those rounds did less work): ${s}`)],
    };
    const header = `hashsieve bench hash: ${corpus.paths.length} images (${corpus.label}), workers ${workers.join(', ')}`;
    await finish(result, header, common, ctx);
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
