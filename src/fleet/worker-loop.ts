import { randomBytes } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { asFsPath, showPath } from '../scan/fs-path.js';
import { createPool, errorResult, type Hasher } from '../scan/pool.js';
import type { HashTask, ScannedFile } from '../scan/task.js';
import { resolveFfmpeg, FfmpegMissingError, type FfmpegConfig } from '../video/ffmpeg.js';
import { BatchVersionError, decodeBatch, encodeResult, mapPath, type BatchJob, type PathMapping, type WireResult } from './codec.js';
import { bullConnection, createClient, type RedisTarget } from './connection.js';
import { FLEET_PREFIX, HEARTBEAT_MS, KEYS, queueName, WORKER_TTL_MS, type ScanId } from './names.js';
import { activeScans, type WorkerInfo } from './registry.js';

export interface FleetWorkerOptions {
  readonly target: RedisTarget;
  /** Pool threads hashing files. */
  readonly threads: number;
  /** Per-file limit in ms (0 = none), as in a local scan. */
  readonly fileTimeoutMs: number;
  readonly pathMap: readonly PathMapping[];
  /**
   * This machine's ffmpeg for videos (default: $HASHSIEVE_FFMPEG, then PATH); the coordinator's
   * path is never used here. A path given that is not a program is refused at start.
   */
  readonly ffmpeg?: FfmpegConfig;
  /** False: only stat each file (benchmark of the coordination ceiling); no pool, no hashes. */
  readonly decode: boolean;
  /** BullMQ lock on a job in hand, renewed at half this while the job runs; a dead worker's job is free after it. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (BullMQ stalled-job check). */
  readonly stalledIntervalMs?: number;
  /** Lost workers a batch survives before it fails (its files then get error rows). */
  readonly maxStalledCount?: number;
  /** How often the list of active scans is read. */
  readonly discoverMs?: number;
  readonly onNotice: (message: string) => void;
  /** The module the pool's threads run (default the scan's worker); tests pass one that injects faults. */
  readonly poolWorker?: URL;
}

export interface FleetWorker {
  readonly id: string;
  /** Files answered so far. */
  files(): number;
  /**
   * Stop taking batches. Graceful: the batches in hand are finished and returned first. Forced:
   * they are left to expire and be taken over by another worker (stalled-job recovery).
   */
  stop(force?: boolean): Promise<void>;
}

const DEFAULT_LOCK_MS = 30_000;

/**
 * Stat-only answer (the benchmark's no-decode mode): size and mtime and an error row saying the
 * file was not read, so a scan served by such a worker can never pass a file as clean.
 */
async function statOnly(task: HashTask): Promise<ScannedFile> {
  const path = asFsPath(task.path);
  const shown = showPath(path);
  const notRead = errorResult(shown, 'UNREADABLE', 'Not read: this worker runs the stat-only benchmark mode and hashes nothing');
  try {
    const s = await lstat(path);
    return { ...notRead, size: s.size, stat: { size: s.size, mtimeMs: s.mtimeMs } };
  } catch (e) {
    return { ...errorResult(shown, 'UNREADABLE', `Cannot read (${(e as NodeJS.ErrnoException).code ?? 'unknown error'})`), stat: null };
  }
}

/**
 * Videos need ffmpeg on this machine: a path given that is not a program is an error; none found
 * is said once (each video then gets an UNSUPPORTED_FORMAT error row, as in a local scan).
 */
function checkFfmpeg(o: FleetWorkerOptions): void {
  try {
    resolveFfmpeg(o.ffmpeg);
  } catch (e) {
    if (!(e instanceof FfmpegMissingError) || o.ffmpeg?.ffmpegPath !== undefined) throw e;
    o.onNotice(`warning: this worker cannot hash videos: ${e.message}; each video gets an UNSUPPORTED_FORMAT error row`);
  }
}

/**
 * A fleet worker: takes batch jobs from every active scan's queue, hashes their files in the
 * piscina pool, and returns per file what a local scan's pool returns (never pixels, never a
 * list). BullMQ renews each job's lock while its files are hashed on the pool's threads.
 */
export async function startFleetWorker(o: FleetWorkerOptions): Promise<FleetWorker> {
  if (o.decode) checkFfmpeg(o);
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const client: Redis = createClient(o.target, `hashsieve-worker-${id}`);
  let down = false;
  client.on('error', (e: Error) => {
    if (down) return;
    down = true;
    o.onNotice(`lost the connection to Redis at ${o.target.display} (${e.message}); waiting for it with backoff`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    o.onNotice(`reconnected to Redis at ${o.target.display}`);
  });
  await client.connect();
  const pool: Hasher | null = o.decode ? await createPool({ workers: o.threads, fileTimeoutMs: o.fileTimeoutMs, ...(o.poolWorker && { worker: o.poolWorker }) }) : null;
  const startedAt = new Date().toISOString();
  let files = 0;
  let filesAtBeat = 0;
  let beatAt = Date.now();
  const consumers = new Map<ScanId, Worker<BatchJob, WireResult[]>>();
  const closing = new Set<Promise<void>>();
  let stopping = false;

  let refusedFormat = false;
  const processor = async (job: Job<BatchJob, WireResult[]>): Promise<WireResult[]> => {
    let tasks: HashTask[];
    try {
      tasks = decodeBatch(job.data, (bytes) => mapPath(bytes, o.pathMap), { ...(o.ffmpeg && { ffmpeg: o.ffmpeg }) });
    } catch (e) {
      // The batch fails (its files become error rows on the coordinator); say why here once.
      if (e instanceof BatchVersionError && !refusedFormat) {
        refusedFormat = true;
        o.onNotice(`refused a batch: ${e.message}`);
      }
      throw e;
    }
    const results = await Promise.all(tasks.map((t) => (pool ? pool.hash(t) : statOnly(t))));
    files += tasks.length;
    return results.map(encodeResult);
  };

  const consume = (scan: ScanId): void => {
    const lockDuration = o.lockDurationMs ?? DEFAULT_LOCK_MS;
    const w = new Worker<BatchJob, WireResult[]>(queueName(scan), processor, {
      connection: bullConnection(o.target),
      prefix: FLEET_PREFIX,
      name: id,
      // One batch hashing and one ready behind it keep the threads busy between batches.
      concurrency: 2 + Math.floor(o.threads / 16),
      lockDuration,
      stalledInterval: o.stalledIntervalMs ?? lockDuration,
      maxStalledCount: o.maxStalledCount ?? 3,
      autorun: true,
    });
    w.on('error', () => undefined);
    consumers.set(scan, w);
  };

  const retire = (scan: ScanId, force: boolean): void => {
    const w = consumers.get(scan);
    if (!w) return;
    consumers.delete(scan);
    const p = w.close(force).catch(() => undefined);
    closing.add(p);
    void p.finally(() => closing.delete(p));
  };

  const discover = async (): Promise<void> => {
    const scans = new Set(await activeScans(client));
    if (stopping) return;
    for (const s of scans) if (!consumers.has(s)) consume(s);
    for (const s of [...consumers.keys()]) if (!scans.has(s)) retire(s, false);
  };

  const beat = async (): Promise<void> => {
    const now = Date.now();
    const info: WorkerInfo = {
      id,
      host: hostname(),
      pid: process.pid,
      threads: o.threads,
      decode: o.decode,
      startedAt,
      files,
      filesPerSecond: Math.round(((files - filesAtBeat) * 1000) / Math.max(1, now - beatAt)),
      scans: [...consumers.keys()],
    };
    filesAtBeat = files;
    beatAt = now;
    await client.multi().sadd(KEYS.workers, id).set(KEYS.worker(id), JSON.stringify(info), 'PX', WORKER_TTL_MS).exec();
  };

  await beat();
  await discover();
  const announcements = client.duplicate();
  announcements.on('error', () => undefined);
  announcements.on('message', () => void discover().catch(() => undefined));
  await announcements.subscribe(KEYS.announce);
  const discoverTimer = setInterval(() => void discover().catch(() => undefined), o.discoverMs ?? 1000);
  const beatTimer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);

  return {
    id,
    files: () => files,
    async stop(force = false) {
      stopping = true;
      clearInterval(discoverTimer);
      clearInterval(beatTimer);
      announcements.disconnect();
      for (const s of [...consumers.keys()]) retire(s, force);
      await Promise.all([...closing]);
      if (force) pool?.stop();
      await pool?.close();
      await Promise.race([
        client.multi().srem(KEYS.workers, id).del(KEYS.worker(id)).exec(),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]).catch(() => undefined);
      client.disconnect();
    },
  };
}
