import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { UsageError } from '../../errors.js';
import { parseCorpusSpec, parseCount, parseCountList, parseSeed } from '../args.js';
import type { CliContext } from '../context.js';
import { KEYS } from '../../fleet/names.js';
import { summarize } from '../../bench/stats.js';

/** What `bench fleet` measures and how big; the defaults are the issue's. */
export interface FleetBenchConfig {
  readonly width: number;
  readonly height: number;
  /** JPEGs scanned by the local scan and the fleet. */
  readonly images: number;
  readonly rounds: number;
  /** Empty files the stat-only fleet walks for the coordination ceiling. */
  readonly ceilingFiles: number;
  /** Batch sizes tried for the ceiling. */
  readonly ceilingBatchSizes: readonly number[];
  readonly seed: number;
}

export interface FleetBenchResult {
  readonly config: FleetBenchConfig;
  readonly host: { readonly cpus: number; readonly loadAverage: readonly number[]; readonly node: string };
  /** Files/s of each round's local scan (2 threads) and fleet scan (2 single-thread workers). */
  readonly rounds: readonly {
    readonly local: number;
    readonly fleet: number;
    readonly ratio: number;
    /** Without the fixed cost of a scan (a one-file scan's time): pool start-up here, worker discovery there. */
    readonly localSteady: number;
    readonly fleetSteady: number;
    readonly steadyRatio: number;
  }[];
  readonly medianRatio: number;
  readonly medianSteadyRatio: number;
  readonly ceiling: readonly {
    readonly batchSize: number;
    readonly filesPerSecond: number;
    readonly jobsPerSecond: number;
    /** redis-server's CPU time (user + sys) over the run, per batch job, and as a share of the run's wall time. */
    readonly redisCpuMicrosPerJob: number;
    readonly redisCpuShare: number;
  }[];
}

const SOURCES = 16;
const BIN = fileURLToPath(new URL('../../../../bin/hashsieve.js', import.meta.url));

interface Proc {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stderr: string }>;
}

function run(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
}

async function startRedis(dir: string): Promise<{ socket: string; stop: () => Promise<void> }> {
  const socket = join(dir, 'redis.sock');
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) =>
    child.once('error', () => reject(new UsageError('bench fleet needs redis-server: apt-get install -y redis-server'))),
  );
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    await Promise.race([new Promise((r) => setTimeout(r, 50)), failed]);
    if (Date.now() > deadline) throw new Error('redis-server did not start');
  }
  return {
    socket,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds redis-server has used (INFO cpu, user + sys of all its threads). */
async function redisCpuSeconds(c: Redis): Promise<number> {
  const info = await c.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

async function waitForWorkers(socket: string, n: number): Promise<void> {
  const c = new Redis({ path: socket });
  try {
    const deadline = Date.now() + 30_000;
    while ((await c.scard(KEYS.workers)) < n) {
      if (Date.now() > deadline) throw new Error('the fleet workers did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    c.disconnect();
  }
}

/** Seconds of one scan as its own summary counts them (walk to last record; no process start-up), and its status counts. */
async function timedScan(args: readonly string[], summary: string): Promise<{ seconds: number; statuses: string }> {
  const r = await run([...args, '-q', '--summary', summary]).done;
  if (r.code !== 0 && r.code !== 1 && r.code !== 3) throw new Error(`scan failed (exit ${r.code}): ${r.stderr.trim()}`);
  const s = JSON.parse(await readFile(summary, 'utf8')) as { elapsedSeconds: number; statuses: Record<string, number> };
  return { seconds: s.elapsedSeconds, statuses: JSON.stringify(s.statuses) };
}

/** Files/s without a scan's fixed cost (a one-file scan's time); NaN when that cost is most of the run (too few files to tell). */
function steadyRate(files: number, seconds: number, fixed: number): number {
  return seconds - fixed < seconds / 10 ? Number.NaN : (files - 1) / (seconds - fixed);
}

async function stopAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.done));
}

/**
 * A local scan with 2 threads against a coordinator and 2 single-thread worker processes on the
 * same JPEGs, alternating in rounds; then the coordination ceiling: stat-only workers on empty
 * files, through one private redis-server.
 */
export async function runFleetBench(c: FleetBenchConfig, onStatus: (line: string) => void): Promise<FleetBenchResult> {
  const tmp = await mkdtemp(join(os.tmpdir(), 'hashsieve-bench-fleet-'));
  let redis: Awaited<ReturnType<typeof startRedis>> | null = null;
  const workers: Proc[] = [];
  try {
    redis = await startRedis(tmp);
    const images = join(tmp, 'images');
    await mkdir(images);
    const [{ generateSource }, { default: sharp }, { openStore, importList }] = await Promise.all([
      import('../../synthetic/images.js'),
      import('sharp'),
      import('../../store/index.js'),
    ]);
    // A few generated sources, each re-encoded with its own brightness and quality: distinct files, quickly made.
    const sources: Buffer[] = [];
    for (let i = 0; i < Math.min(c.images, SOURCES); i++) sources.push(await generateSource((c.seed + i) >>> 0, c.width, c.height));
    for (let i = 0; i < c.images; i++) {
      const variant = Math.floor(i / SOURCES);
      const jpeg = await sharp(sources[i % SOURCES])
        .modulate({ brightness: 0.8 + (variant % 40) / 100 })
        .jpeg({ quality: 75 + (variant % 20) })
        .toBuffer();
      await writeFile(join(images, `synthetic-${String(i).padStart(6, '0')}.jpg`), jpeg);
      if (i % 100 === 99) onStatus(`generating ${c.width}x${c.height} JPEGs: ${i + 1}/${c.images}`);
    }
    const single = join(tmp, 'single');
    await mkdir(single);
    await writeFile(join(single, 'one.jpg'), await sharp(sources[0]).jpeg().toBuffer());
    const db = join(tmp, 'lists.db');
    const csv = join(tmp, 'list.csv');
    await writeFile(csv, `signal,hash,id,category\npdq,${'a5'.repeat(32)},B-1,bench\n`);
    const store = openStore(db);
    try {
      await importList(store, csv, { name: 'bench', format: 'csv', columns: { signal: 'signal', hash: 'hash', id: 'id', category: 'category' }, sourceOrg: 'bench', version: '1' });
    } finally {
      store.close();
    }

    for (let i = 0; i < 2; i++) workers.push(run(['worker', '--queue', redis.socket, '--workers', '1', '-q']));
    await waitForWorkers(redis.socket, 2);
    const rounds: FleetBenchResult['rounds'][number][] = [];
    const out = join(tmp, 'out.ndjson');
    const summary = join(tmp, 'summary.json');
    /** Seconds of a scan of `dir`, as its summary counts them. */
    const statuses = new Map<string, string>();
    const seconds = async (args: readonly string[], dir: string): Promise<number> => {
      await rm(out, { force: true });
      const r = await timedScan(['scan', '--db', db, ...args, '--out', out, dir], summary);
      // Local and fleet scans of one folder must count the same statuses (a fast wrong answer is no result).
      const key = `${dir} ${args.includes('--algo')}`;
      if (statuses.has(key) && statuses.get(key) !== r.statuses) {
        throw new Error(`two scans of ${dir} disagree: ${statuses.get(key)} vs ${r.statuses}`);
      }
      statuses.set(key, r.statuses);
      return r.seconds;
    };
    const localArgs = ['--workers', '2'];
    const fleetArgs = ['--queue', redis.socket];
    for (let r = 0; r < c.rounds; r++) {
      onStatus(`round ${r + 1}/${c.rounds}: local scan, 2 threads`);
      const local = await seconds(localArgs, images);
      const localFixed = await seconds(localArgs, single);
      onStatus(`round ${r + 1}/${c.rounds}: fleet scan, 2 single-thread workers`);
      const fleet = await seconds(fleetArgs, images);
      const fleetFixed = await seconds(fleetArgs, single);
      const rate = (s: number) => c.images / s;
      // Steady state: the one-file scan's time (pool start-up, worker discovery) taken off.
      const steady = (s: number, fixed: number) => steadyRate(c.images, s, fixed);
      rounds.push({
        local: rate(local),
        fleet: rate(fleet),
        ratio: local / fleet,
        localSteady: steady(local, localFixed),
        fleetSteady: steady(fleet, fleetFixed),
        steadyRatio: steady(fleet, fleetFixed) / steady(local, localFixed),
      });
    }
    await stopAll(workers.splice(0));

    const empty = join(tmp, 'empty');
    onStatus(`creating ${c.ceilingFiles} empty files`);
    for (let d = 0; d * 1000 < c.ceilingFiles; d++) {
      const sub = join(empty, String(d));
      await mkdir(sub, { recursive: true });
      const n = Math.min(1000, c.ceilingFiles - d * 1000);
      await Promise.all(Array.from({ length: n }, (_, i) => writeFile(join(sub, `${i}.jpg`), '')));
    }
    for (let i = 0; i < 2; i++) workers.push(run(['worker', '--queue', redis.socket, '--workers', '1', '--no-decode', '-q']));
    await waitForWorkers(redis.socket, 2);
    const ceiling: FleetBenchResult['ceiling'][number][] = [];
    const admin = new Redis({ path: redis.socket });
    try {
      for (const batchSize of c.ceilingBatchSizes) {
        onStatus(`coordination ceiling: ${c.ceilingFiles} files, batches of ${batchSize}, stat-only workers`);
        const args = [...fleetArgs, '--batch-size', String(batchSize), '--algo', 'sha256'];
        const cpuBefore = await redisCpuSeconds(admin);
        const all = await seconds(args, empty);
        const redisCpu = (await redisCpuSeconds(admin)) - cpuBefore;
        const fps = steadyRate(c.ceilingFiles, all, await seconds(args, single));
        const jobs = Math.ceil(c.ceilingFiles / batchSize);
        ceiling.push({
          batchSize,
          filesPerSecond: Math.round(fps),
          jobsPerSecond: Math.round(fps / batchSize),
          redisCpuMicrosPerJob: Math.round((redisCpu * 1e6) / jobs),
          redisCpuShare: Math.round((redisCpu / all) * 1000) / 1000,
        });
      }
    } finally {
      admin.disconnect();
    }
    return {
      config: c,
      host: { cpus: os.availableParallelism(), loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100), node: process.version },
      rounds: rounds.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1000) / 1000])) as typeof r),
      medianRatio: Math.round(summarize(rounds.map((r) => r.ratio)).median * 1000) / 1000,
      medianSteadyRatio: Math.round(summarize(rounds.map((r) => r.steadyRatio)).median * 1000) / 1000,
      ceiling,
    };
  } finally {
    await stopAll(workers);
    await redis?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function formatFleetBench(r: FleetBenchResult): string {
  const c = r.config;
  const lines = [
    `bench fleet: ${c.images} ${c.width}x${c.height} JPEGs, ${c.rounds} round(s); ${r.host.cpus} cpus, load ${r.host.loadAverage.join(' ')}, node ${r.host.node}`,
    '',
    'files/s: a local scan with 2 threads, a coordinator with 2 single-thread worker processes;',
    'steady: without each scan\'s fixed cost (the time of a one-file scan: pool start-up, worker discovery)',
    'round  local   fleet   fleet/local  local steady  fleet steady  fleet/local steady',
    ...r.rounds.map(
      (x, i) =>
        `${String(i + 1).padEnd(5)}  ${x.local.toFixed(1).padEnd(6)}  ${x.fleet.toFixed(1).padEnd(6)}  ${pct(x.ratio).padEnd(11)}  ${x.localSteady.toFixed(1).padEnd(12)}  ${x.fleetSteady.toFixed(1).padEnd(12)}  ${pct(x.steadyRatio)}`,
    ),
    `median fleet/local: ${pct(r.medianRatio)}, steady ${pct(r.medianSteadyRatio)} (goal >= 95%)`,
    '',
    `coordination ceiling, steady (${c.ceilingFiles} empty files, 2 stat-only workers, one Redis; goal >= 20000 files/s)`,
    'batch size  files/s  jobs/s  redis CPU per job  redis CPU share',
    ...r.ceiling.map(
      (x) =>
        `${String(x.batchSize).padEnd(10)}  ${String(x.filesPerSecond).padEnd(7)}  ${String(x.jobsPerSecond).padEnd(6)}  ${`${x.redisCpuMicrosPerJob} us`.padEnd(17)}  ${pct(x.redisCpuShare)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** `bench fleet`'s options as commander hands them over. */
export interface FleetBenchFlags {
  readonly generate?: string;
  readonly repeat?: string;
  readonly ceilingFiles?: string;
  readonly ceilingBatchSizes?: string;
  readonly seed?: string;
  readonly json?: boolean;
}

export async function runFleetBenchCommand(flags: FleetBenchFlags, ctx: CliContext): Promise<void> {
  const spec = parseCorpusSpec('--generate', flags.generate ?? '1024x768:1000');
  const result = await runFleetBench(
    {
      width: spec.width,
      height: spec.height,
      images: spec.count,
      rounds: flags.repeat === undefined ? 3 : parseCount('--repeat', flags.repeat),
      ceilingFiles: flags.ceilingFiles === undefined ? 50_000 : parseCount('--ceiling-files', flags.ceilingFiles),
      ceilingBatchSizes: flags.ceilingBatchSizes === undefined ? [50, 500] : parseCountList('--ceiling-batch-sizes', flags.ceilingBatchSizes),
      seed: flags.seed === undefined ? 1 : parseSeed('--seed', flags.seed),
    },
    (line) => {
      if (!flags.json) ctx.stderr.write(`${line}\n`);
    },
  );
  ctx.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatFleetBench(result));
}
