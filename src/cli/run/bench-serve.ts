import os from 'node:os';
import { parseCount, parseCountList, parseSeed } from '../args.js';
import type { CliContext } from '../context.js';

export interface BenchServeFlags {
  sizes: string;
  seconds: string;
  connections: string;
  workers?: string;
  seed: string;
  batch: string;
  batchThreads?: string;
  images: string;
  json?: boolean;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `hashsieve bench serve`: the HTTP service under autocannon on loopback. */
export async function runBenchServe(f: BenchServeFlags, ctx: CliContext): Promise<void> {
  const cfg = {
    sizes: parseCountList('--sizes', f.sizes),
    seconds: parseCount('--seconds', f.seconds),
    connections: parseCount('--connections', f.connections),
    workers: f.workers ? parseCount('--workers', f.workers) : os.availableParallelism(),
    seed: parseSeed('--seed', f.seed),
    batchLines: parseCount('--batch', f.batch),
    batchThreads: f.batchThreads ? parseCount('--batch-threads', f.batchThreads, 0) : os.availableParallelism(),
    images: parseCount('--images', f.images, 0),
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
    `${cfg.seconds}s a round, ${cfg.connections} connections for raw_lookup, ${cfg.workers} hash workers, ${cfg.batchThreads} batch query threads, seed ${cfg.seed}; half the queries near list entries (<= 15 bits flipped)`,
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
