import os from 'node:os';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt } from './hash.js';

export interface BenchServeFlags {
  sizes: string;
  seconds: string;
  connections: string;
  workers?: string;
  seed: string;
  batch: string;
  images: string;
  json?: boolean;
}

function parseCount(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(v.trim());
  const n = m ? Math.round(Number(m[1]) * (m[2].toLowerCase() === 'm' ? 1e6 : m[2].toLowerCase() === 'k' ? 1e3 : 1)) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`Expected a positive count (k/M suffixes allowed) for ${flag} but received ${v}`);
  return n;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `hashsieve bench serve`: the HTTP service under autocannon on loopback. */
export async function runBenchServe(f: BenchServeFlags, ctx: CliContext): Promise<void> {
  const cfg = {
    sizes: f.sizes.split(',').map((s) => parseCount('--sizes', s)),
    seconds: parsePositiveInt('--seconds', f.seconds),
    connections: parsePositiveInt('--connections', f.connections),
    workers: f.workers ? parsePositiveInt('--workers', f.workers) : os.availableParallelism(),
    seed: parsePositiveInt('--seed', f.seed),
    batchLines: parsePositiveInt('--batch', f.batch),
    images: f.images === '0' ? 0 : parsePositiveInt('--images', f.images),
  };
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const { runServeBench } = await import('../../bench/serve-bench.js');
  const rows = await runServeBench(cfg, (m) => ctx.stderr.write(`bench serve: ${m}\n`));
  const loadAfter = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  if (f.json) {
    ctx.stdout.write(`${JSON.stringify({ config: cfg, loadAverage: { before: load, after: loadAfter }, cores: os.availableParallelism(), rows }, null, 2)}\n`);
    return;
  }
  const out: string[] = [
    `bench serve: ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}, node ${process.version}, load average ${load} (after: ${loadAfter})`,
    `${cfg.seconds}s a round, ${cfg.connections} connections for raw_lookup, ${cfg.workers} hash workers, seed ${cfg.seed}; half the queries near list entries (<= 15 bits flipped)`,
    '',
  ];
  for (const r of rows) {
    out.push(`PDQ list of ${fmt(r.size)} (import ${fmt(r.importSeconds, 1)} s, service ready ${fmt(r.readySeconds, 1)} s)`);
    out.push(`  /m/raw_lookup     ${fmt(r.rawLookup.reqPerSec)} req/s (${fmt(r.rawLookup.perCpuSecond)} per CPU-second of the service), p50 ${r.rawLookup.p50Ms} ms, p99 ${r.rawLookup.p99Ms} ms (non-2xx ${r.rawLookup.non2xx}, errors ${r.rawLookup.errors})`);
    out.push(`  /m/lookup_batch   ${fmt(r.batch.hashesPerSec)} hashes/s (${fmt(r.batch.perCpuSecond)} per CPU-second; ${cfg.batchLines} a request), p99 ${r.batch.p99Ms} ms (non-2xx ${r.batch.non2xx})`);
    if (r.upload) {
      out.push(
        `  POST /h/hash      ${fmt(r.upload.uploadsPerSec, 1)} uploads/s (1024x768 JPEG, every signal) vs the pool alone ${fmt(r.upload.poolAllSignalsPerSec, 1)} images/s: ${fmt(r.upload.ratio, 2)}x (non-2xx ${r.upload.non2xx})`,
      );
    }
  }
  ctx.stdout.write(`${out.join('\n')}\n`);
}
