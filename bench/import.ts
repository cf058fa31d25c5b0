/**
 * List-store benchmark: import N PDQ lines from a text file, then load every PDQ hash of the list
 * into one packed array (what a scan does before matching).
 *
 *   node dist/bench/import.js [--sizes 100k,1M] [--seed 1] [--dir DIR]
 *
 * The list file is generated with a fixed-seed PRNG into a temporary folder (or --dir), streamed
 * so generation itself stays small in memory, and deleted afterwards. Wall and CPU seconds are
 * both printed: on a shared machine the CPU figure is the steadier one. Goals on a 2-core machine:
 * 1M lines in <= 10 s, 10M in <= 100 s with flat memory; loading 10M PDQ hashes in <= 3 s.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCount, parseList, parseSeed } from '../src/cli/args.js';
import { createPrng } from '../src/synthetic/prng.js';
import { importList } from '../src/store/import.js';
import { openStore } from '../src/store/store.js';

const LINES_PER_WRITE = 20_000;
const RSS_SAMPLE_MS = 50;
const MIB = 2 ** 20;

interface Options {
  sizes: number[];
  seed: number;
  dir: string | null;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { sizes: { type: 'string', default: '100k,1M' }, seed: { type: 'string', default: '1' }, dir: { type: 'string' } },
  });
  return {
    sizes: parseList('--sizes', values.sizes).map((n) => parseCount('--sizes', n)),
    seed: parseSeed('--seed', values.seed),
    dir: values.dir ?? null,
  };
}

async function writeList(path: string, n: number, seed: number): Promise<void> {
  const prng = createPrng(seed);
  const out = createWriteStream(path);
  const words = new Uint32Array(8);
  for (let done = 0; done < n; ) {
    let chunk = '';
    const stop = Math.min(n, done + LINES_PER_WRITE);
    for (; done < stop; done++) {
      for (let w = 0; w < 8; w++) words[w] = prng.nextU32();
      chunk += `pdq ${Buffer.from(words.buffer).toString('hex')}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Run fn while sampling RSS; returns its result, seconds taken and the peak RSS seen. */
async function measured<T>(
  fn: () => Promise<T> | T,
): Promise<{ value: T; seconds: number; cpuSeconds: number; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const value = await fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

const mib = (b: number): string => `${(b / MIB).toFixed(0)} MiB`;

export async function run(argv: string[]): Promise<void> {
  const opts = options(argv);
  console.log(
    `import bench: sizes ${opts.sizes.join(', ')}, seed ${opts.seed}; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `${mib(totalmem())} RAM, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  const root = mkdtempSync(join(opts.dir ?? tmpdir(), 'hashsieve-import-bench-'));
  try {
    for (const n of opts.sizes) {
      const listFile = join(root, `pdq-${n}.txt`);
      const dbFile = join(root, `db-${n}`, 'lists.db');
      const gen = await measured(() => writeList(listFile, n, opts.seed));
      const baseRss = process.memoryUsage.rss();
      const store = openStore(dbFile);
      const imp = await measured(() => importList(store, listFile, { name: `bench-${n}` }));
      store.close();
      const reader = openStore(dbFile, { readonly: true });
      const load = await measured(() => reader.loadPacked('pdq'));
      reader.close();
      if (load.value.count !== imp.value.counts.pdq) throw new Error('loaded count differs from imported count');
      console.log(
        [
          `${n} PDQ lines (${mib(statSync(listFile).size)} file, generated in ${gen.seconds.toFixed(1)} s)`,
          `  import: ${imp.seconds.toFixed(1)} s wall, ${imp.cpuSeconds.toFixed(1)} s CPU (${Math.round(n / imp.seconds)} lines/s wall), ` +
            `RSS ${mib(baseRss)} before, peak ${mib(imp.peakRss)}; ${imp.value.duplicates} duplicates; database ${mib(statSync(dbFile).size)}`,
          `  loadPacked: ${load.seconds.toFixed(2)} s wall, ${load.cpuSeconds.toFixed(2)} s CPU for ${load.value.count} hashes (${mib(load.value.bytes.byteLength)} packed), peak RSS ${mib(load.peakRss)}`,
        ].join('\n'),
      );
      rmSync(listFile, { force: true });
      rmSync(join(root, `db-${n}`), { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  });
}
