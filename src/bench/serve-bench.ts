import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { createPrng, type Prng } from '../synthetic/prng.js';
import { flipBits } from '../synthetic/hashes.js';

export interface ServeBenchConfig {
  /** PDQ list sizes to serve, one server each. */
  readonly sizes: readonly number[];
  readonly seconds: number;
  readonly connections: number;
  readonly workers: number;
  readonly seed: number;
  /** Lines per lookup_batch request. */
  readonly batchLines: number;
  /** The service's lookup_batch query threads. */
  readonly batchThreads: number;
  /** Synthetic 1024x768 JPEGs for the upload round (0 skips it). */
  readonly images: number;
}

export interface ServeBenchRow {
  readonly size: number;
  readonly importSeconds: number;
  readonly readySeconds: number;
  /** perCpuSecond: answers per second of the service process's own CPU time (user + system), a figure a busy host disturbs less. */
  readonly rawLookup: { readonly reqPerSec: number; readonly perCpuSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly non2xx: number; readonly errors: number };
  readonly batch: { readonly hashesPerSec: number; readonly perCpuSecond: number; readonly p99Ms: number; readonly non2xx: number; readonly errors: number };
  readonly upload: { readonly uploadsPerSec: number; readonly poolAllSignalsPerSec: number; readonly ratio: number; readonly non2xx: number } | null;
}

const QUERY_PATHS = 4096;
const NEAR_FLIP_MAX = 15;
const PDQ_BYTES = 32;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A synthetic PDQ list file (random hashes, seeded), written as bare hex lines. */
async function writeList(file: string, n: number, prng: Prng, keep: Uint8Array[]): Promise<void> {
  const out = createWriteStream(file);
  const hash = new Uint8Array(PDQ_BYTES);
  let buf = '';
  for (let i = 0; i < n; i++) {
    prng.fill(hash);
    if (keep.length < QUERY_PATHS / 2 && i % Math.max(1, Math.floor(n / (QUERY_PATHS / 2))) === 0) keep.push(hash.slice());
    buf += `${hex(hash)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function startServer(cfg: ServeBenchConfig, db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [new URL('./serve-child.js', import.meta.url).pathname, JSON.stringify({ dbPath: db, workers: cfg.workers, batchThreads: cfg.batchThreads, logLevel: 'info' })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the service exited (${code}) before it was ready`)));
  });
  return { child, url };
}

type Result = autocannon.Result;

/** CPU seconds (user + system) a process has used so far, from /proc (0 where there is none). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function load(opts: autocannon.Options): Promise<Result> {
  return (await autocannon(opts)) as Result;
}

/** Multipart bodies, one per synthetic image. */
async function uploadBodies(count: number, seed: number, dir: string): Promise<{ bodies: Buffer[]; paths: string[]; boundary: string }> {
  const [{ generateSource }, { default: sharp }] = await Promise.all([import('../synthetic/images.js'), import('sharp')]);
  const boundary = '----hashsieve-bench';
  const bodies: Buffer[] = [];
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const jpeg = await sharp(await generateSource((seed + i) >>> 0, 1024, 768)).jpeg({ quality: 90 }).toBuffer();
    const path = join(dir, `upload-${i}.jpg`);
    await writeFile(path, jpeg);
    paths.push(path);
    bodies.push(
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
        jpeg,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    );
  }
  return { bodies, paths, boundary };
}

/** The pool's all-signal rate on the same images, as `bench hash` measures it ("all" mode). */
async function poolRate(paths: readonly string[], workers: number, rounds: number): Promise<number> {
  const [{ startHashPool }, { decodeShapeFor }, { signalNames, parseSignalList }, { DEFAULT_HASH_OPTIONS }] = await Promise.all([
    import('./hash-pool.js'),
    import('../hash.js'),
    import('../signals/registry.js'),
    import('../signals/types.js'),
  ]);
  const all = signalNames();
  const runner = await startHashPool(paths, workers, decodeShapeFor(parseSignalList(all.join(',')), DEFAULT_HASH_OPTIONS));
  try {
    await runner.run({ name: 'all', kind: 'hash', signals: all });
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const { elapsedMs } = await runner.run({ name: 'all', kind: 'hash', signals: all });
      best = Math.max(best, (paths.length * 1000) / elapsedMs);
    }
    return best;
  } finally {
    await runner.close();
  }
}

/**
 * `hashsieve bench serve`: the service in a child process on loopback, loaded by autocannon from
 * this one. Per list size: /m/raw_lookup req/s and latency, lookup_batch hashes/s; for the first
 * size, POST /h/hash uploads/s against the pool's all-signal rate on the same images.
 */
export async function runServeBench(cfg: ServeBenchConfig, progress: (m: string) => void): Promise<ServeBenchRow[]> {
  const { openStore } = await import('../store/store.js');
  const { importList } = await import('../store/import.js');
  const { TokenStore } = await import('../store/tokens.js');
  const dir = await mkdtemp(join(os.tmpdir(), 'hashsieve-bench-serve-'));
  const rows: ServeBenchRow[] = [];
  try {
    for (const [k, n] of cfg.sizes.entries()) {
      const prng = createPrng(cfg.seed + k);
      const db = join(dir, `serve-${n}.db`);
      const listFile = join(dir, `list-${n}.txt`);
      const entries: Uint8Array[] = [];
      progress(`writing a synthetic ${n}-hash PDQ list`);
      await writeList(listFile, n, prng, entries);
      progress(`importing ${n} hashes`);
      let t = performance.now();
      const store = openStore(db);
      let token: string;
      try {
        await importList(store, listFile, { name: 'BENCH', signal: 'pdq', format: 'text' });
        token = new TokenStore(store.db).create('bench', ['lookup']).token;
      } finally {
        store.close();
      }
      await rm(listFile);
      const importSeconds = (performance.now() - t) / 1000;
      progress(`starting the service and building its index (${n})`);
      t = performance.now();
      const { child, url } = await startServer(cfg, db);
      const readySeconds = (performance.now() - t) / 1000;
      const headers = { authorization: `Bearer ${token}` };
      try {
        const paths = Array.from({ length: QUERY_PATHS }, (_, i) => {
          const h = i % 2 === 0 && entries.length > 0 ? entries[(i / 2) % entries.length].slice() : new Uint8Array(PDQ_BYTES);
          if (i % 2 === 0 && entries.length > 0) flipBits(h, prng.below(NEAR_FLIP_MAX + 1), prng);
          else prng.fill(h);
          return `/m/raw_lookup?signal_type=pdq&include_distance=true&signal=${hex(h)}`;
        });
        let next = 0;
        progress(`raw_lookup for ${cfg.seconds}s at ${n}`);
        await load({ url, connections: cfg.connections, duration: 1, headers, requests: [{ method: 'GET', setupRequest: (req: autocannon.Request) => ({ ...req, path: paths[next++ % paths.length] }) }] });
        let cpu = cpuSeconds(child.pid);
        const raw = await load({ url, connections: cfg.connections, duration: cfg.seconds, headers, requests: [{ method: 'GET', setupRequest: (req: autocannon.Request) => ({ ...req, path: paths[next++ % paths.length] }) }] });
        const rawCpu = cpuSeconds(child.pid) - cpu;
        const batch = Array.from({ length: cfg.batchLines }, (_, i) => JSON.stringify({ signal_type: 'pdq', signal: paths[i % paths.length].slice(-64) })).join('\n') + '\n';
        progress(`lookup_batch (${cfg.batchLines} a request) for ${cfg.seconds}s at ${n}`);
        cpu = cpuSeconds(child.pid);
        const b = await load({
          url: `${url}/m/lookup_batch`,
          method: 'POST',
          connections: 2,
          duration: cfg.seconds,
          headers: { ...headers, 'content-type': 'application/x-ndjson' },
          body: batch,
        });
        const batchCpu = cpuSeconds(child.pid) - cpu;
        let upload: ServeBenchRow['upload'] = null;
        if (k === 0 && cfg.images > 0) {
          progress(`generating ${cfg.images} 1024x768 JPEGs`);
          const { bodies, paths: files, boundary } = await uploadBodies(cfg.images, cfg.seed, dir);
          let i = 0;
          progress(`POST /h/hash for ${cfg.seconds}s`);
          const u = await load({
            url: `${url}/h/hash`,
            connections: cfg.workers * 2,
            duration: cfg.seconds,
            headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
            requests: [{ method: 'POST', setupRequest: (req: autocannon.Request) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
          });
          progress('the pool alone, all signals, same images');
          const pool = await poolRate(files, cfg.workers, 2);
          upload = { uploadsPerSec: u.requests.average, poolAllSignalsPerSec: pool, ratio: u.requests.average / pool, non2xx: u.non2xx };
        }
        rows.push({
          size: n,
          importSeconds,
          readySeconds,
          rawLookup: { reqPerSec: raw.requests.average, perCpuSecond: rawCpu > 0 ? raw.requests.total / rawCpu : 0, p50Ms: raw.latency.p50, p99Ms: raw.latency.p99, non2xx: raw.non2xx, errors: raw.errors },
          batch: { hashesPerSec: b.requests.average * cfg.batchLines, perCpuSecond: batchCpu > 0 ? (b.requests.total * cfg.batchLines) / batchCpu : 0, p99Ms: b.latency.p99, non2xx: b.non2xx, errors: b.errors },
          upload,
        });
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
        await rm(db, { force: true });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
