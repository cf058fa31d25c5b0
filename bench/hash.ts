/**
 * Hashing benchmark (tinybench, one thread): decode only vs pdq fullres vs pdq fast vs blockhash
 * vs every signal at once, on synthetic JPEGs generated here from a fixed seed.
 *
 *   node dist/bench/hash.js [--sizes 1024x768,4032x3024] [--iterations 8] [--time 3000] [--seed 1]
 *                           [--clock wall|cpu]
 *
 * --clock cpu times with the process's CPU time (user + system, all threads) instead of the wall
 * clock: on a machine shared with other work it measures the work done, not the waiting.
 * The images are the fixtures generator's gradient + value noise + flat shapes, made at a quarter
 * of the size and enlarged by sharp (so 12 megapixels take seconds, not minutes, to make), then
 * saved as JPEG quality 90. Figures: images/s (1000 / mean latency) and the ratio to decode only.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCount, parseDimensions, parseEnum, parseList, parseSeed } from '../src/cli/args.js';
import sharp from 'sharp';
import { Bench } from 'tinybench';
import { generateSource } from '../src/synthetic/images.js';
import { hashBuffer } from '../src/hash.js';
import { decodeImage, DEFAULT_DECODE_LIMITS } from '../src/image/decode.js';
import { PDQ_FAST_MIN_SIDE } from '../src/signals/pdq.js';
import { signalNames } from '../src/signals/registry.js';

const JPEG_QUALITY = 90;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
const SOURCE_SCALE = 4;

interface Options {
  readonly sizes: readonly [number, number][];
  readonly iterations: number;
  readonly time: number;
  readonly seed: number;
  readonly clock: 'wall' | 'cpu';
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1024x768,4032x3024' },
      iterations: { type: 'string', default: '8' },
      time: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '1' },
      clock: { type: 'string', default: 'wall' },
    },
  });
  return {
    sizes: parseList('--sizes', values.sizes).map((s) => parseDimensions('--sizes', s)),
    iterations: parseCount('--iterations', values.iterations),
    time: parseCount('--time', values.time),
    seed: parseSeed('--seed', values.seed),
    clock: parseEnum('--clock', values.clock, ['wall', 'cpu'] as const),
  };
}

export async function syntheticJpeg(seed: number, width: number, height: number): Promise<Buffer> {
  const small = await generateSource(seed, Math.ceil(width / SOURCE_SCALE), Math.ceil(height / SOURCE_SCALE));
  return sharp(small).resize(width, height, { fit: 'fill' }).jpeg({ quality: JPEG_QUALITY }).toBuffer();
}

type Task = readonly [name: string, fn: (jpeg: Buffer) => Promise<unknown>];

const TASKS: readonly Task[] = [
  ['decode only (full size RGBA)', (j) => decodeImage(j, { limits: DEFAULT_DECODE_LIMITS, minSide: null })],
  // The decode blockhash and "all signals" make: full size, the image's own bands (no alpha added).
  ['decode only (full size, own bands)', (j) => decodeImage(j, { limits: DEFAULT_DECODE_LIMITS, minSide: null, rgba: false })],
  ['pdq fullres', (j) => hashBuffer(j, { signals: ['pdq'], hashOptions: { pdqPipeline: 'fullres' } })],
  ['pdq fast', (j) => hashBuffer(j, { signals: ['pdq'], hashOptions: { pdqPipeline: 'fast' } })],
  ['blockhash', (j) => hashBuffer(j, { signals: ['blockhash'] })],
  ['all signals (default options)', (j) => hashBuffer(j, { signals: signalNames() })],
];

async function benchSize(o: Options, width: number, height: number): Promise<void> {
  const jpeg = await syntheticJpeg(o.seed, width, height);
  const check = await hashBuffer(jpeg, { signals: ['pdq'] });
  if (check.error) throw new Error(`hashing the synthetic image failed: ${check.error.code}`);
  const bench = new Bench({
    iterations: o.iterations,
    time: o.time,
    warmupIterations: 1,
    warmupTime: 0,
    ...(o.clock === 'cpu' ? { now: cpuMs } : {}),
  });
  for (const [name, fn] of TASKS) bench.add(name, () => fn(jpeg).then(() => undefined));
  await bench.run();
  console.log(`\n${width}x${height} JPEG q${JPEG_QUALITY}, ${(jpeg.length / 1024).toFixed(0)} KiB`);
  let decodeRate = 0;
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    const rate = 1000 / r.period;
    if (decodeRate === 0) decodeRate = rate;
    const line = [
      task.name.padEnd(32),
      `${rate.toFixed(2).padStart(8)} images/s`,
      `${r.period.toFixed(1).padStart(9)} ms/image`,
      `x${(rate / decodeRate).toFixed(2)} of decode`,
      `(${r.latency.samplesCount} runs, ±${r.latency.rme.toFixed(1)}%)`,
    ];
    console.log(line.join('  '));
  }
}

export async function run(argv: string[]): Promise<void> {
  const o = options(argv);
  sharp.concurrency(1);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
  console.log(
    `bench/hash: node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${cpu}, ` +
      `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(
    `one thread (sharp.concurrency(1), sequential tasks), ${o.clock} clock, seed ${o.seed}, ` +
      `>= ${o.iterations} iterations or ${o.time} ms per task, ` +
      `pdq fast lets the decoder shrink (shorter side >= ${PDQ_FAST_MIN_SIDE}; JPEG at libjpeg scales)`,
  );
  for (const [w, h] of o.sizes) await benchSize(o, w, h);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  });
}
