import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorResult, Interrupted, type Hasher } from '../scan/pool.js';
import type { HashTask, ScannedFile } from '../scan/task.js';
import { decodeResult, encodeBatch, encodePath, type BatchJob, type WireResult } from './codec.js';
import { bullConnection, createClient, type RedisTarget } from './connection.js';
import { FLEET_PREFIX, HEARTBEAT_MS, jobId, KEYS, queueName, type ScanId } from './names.js';
import { liveWorkers } from './registry.js';

/** Files per batch unless the caller says: 0.2–0.5 s of one core's work at 4–10 ms a file (decode and hash). */
export const DEFAULT_BATCH_SIZE = 50;
/** Batches a coordinator keeps in Redis at once: the throttle that keeps its memory flat. */
export const DEFAULT_JOBS_IN_FLIGHT = 128;

export interface RemoteHasherOptions {
  readonly target: RedisTarget;
  readonly scanId: ScanId;
  /** Reuse what an earlier run of this scan left in Redis (results and batches still queued). */
  readonly resume: boolean;
  /** An interrupted run can be resumed (there is a checkpoint): its queued batches are kept. */
  readonly resumable: boolean;
  readonly batchSize: number;
  readonly jobsInFlight: number;
  /** How long a partial batch waits for more files before it is sent. */
  readonly lingerMs?: number;
  /** Say so when no worker is connected and no batch came back for this long. */
  readonly noWorkerNoticeMs?: number;
  /** Collected jobs stay this long before removal, so a coordinator killed before its checkpoint flush finds them. */
  readonly keepCollectedMs?: number;
  /** Tries of a batch whose worker reported an error (a lost worker is BullMQ's stalled-job recovery). */
  readonly jobAttempts?: number;
  /** Messages for a person (no worker, Redis lost and found again); the caller adds its prefix. */
  readonly onNotice: (message: string) => void;
}

/** A Hasher whose files are hashed by fleet workers through a BullMQ queue. */
export interface RemoteHasher extends Hasher {
  readonly concurrency: number;
  readonly scanId: ScanId;
  /** An earlier run's result or queued batch already covers this path (resume). */
  holds(path: string | Uint8Array): boolean;
}

interface Waiter {
  readonly path: string | Uint8Array;
  readonly resolve: (r: ScannedFile) => void;
  readonly reject: (e: unknown) => void;
}

interface Outstanding {
  readonly data: BatchJob;
  /** Encoded paths, in the job's order. */
  readonly keys: readonly string[];
  /** The scan's promise for each file; empty slots belong to an earlier run's batch not yet asked for. */
  readonly waiters: (Waiter | undefined)[];
  /** Times the batch was sent again after Redis lost it; true while a resend is under way. */
  resends?: number;
  resending?: boolean;
}

const POLL_MIN_MS = 5;
const POLL_MAX_MS = 100;
const NOTICE_REPEAT_MS = 30_000;
const CLOSE_WAIT_MS = 5000;
const POLL_GIVE_UP_MS = 60_000;
const MAX_RESENDS = 3;
/** With no batch back for this long, look for batches Redis lost (a restart without persistence). */
const LOST_CHECK_MS = 4000;
/** Job ids per ZMSCORE, so one command never grows with the window. */
const POLL_CHUNK = 500;

export function createRemoteHasher(o: RemoteHasherOptions): RemoteHasher {
  const lingerMs = o.lingerMs ?? 20;
  const noWorkerNoticeMs = o.noWorkerNoticeMs ?? 5000;
  const keepCollectedMs = o.keepCollectedMs ?? 3000;
  const name = queueName(o.scanId);
  const queue = new Queue<BatchJob, WireResult[], 'batch'>(name, { connection: bullConnection(o.target), prefix: FLEET_PREFIX });
  const client: Redis = createClient(o.target, `hashsieve-coordinator-${o.scanId}`);

  let init: Promise<void> | null = null;
  let stopped = false;
  let closed = false;
  let run = 0;
  let batchNo = 0;
  let open: { task: HashTask; waiter: Waiter }[] = [];
  let linger: NodeJS.Timeout | null = null;
  const outstanding = new Map<string, Outstanding>();
  const cache = new Map<string, WireResult>();
  const earlier = new Map<string, { id: string; index: number }>();
  const collected: { id: string; at: number }[] = [];
  let filesDone = 0;
  let lastProgressAt = Date.now();
  let lastNoticeAt = 0;
  let pollTimer: NodeJS.Timeout | null = null;
  let pollDelay = POLL_MIN_MS;
  let pollFailingSince: number | null = null;
  let polling = false;
  let heartbeat: NodeJS.Timeout | null = null;
  let fatal: unknown = null;

  let down = false;
  const onError = (e: Error): void => {
    if (down || closed) return;
    down = true;
    o.onNotice(`lost the connection to Redis at ${o.target.display} (${e.message}); waiting for it with backoff`);
  };
  client.on('error', onError);
  client.on('ready', () => {
    if (!down) return;
    down = false;
    o.onNotice(`reconnected to Redis at ${o.target.display}; the scan goes on`);
  });
  queue.on('error', onError);

  const failAll = (e: unknown): void => {
    fatal ??= e;
    for (const p of open) p.waiter.reject(e);
    open = [];
    for (const out of outstanding.values()) for (const w of out.waiters) w?.reject(e);
    outstanding.clear();
  };

  async function start(): Promise<void> {
    if (client.status === 'wait') await client.connect();
    await queue.waitUntilReady();
    run = await client.incr(KEYS.runs(o.scanId));
    if (o.resume) await harvest();
    else if (run > 1) await queue.obliterate({ force: true });
    await heartbeatOnce();
    await client.publish(KEYS.announce, o.scanId);
    heartbeat = setInterval(() => void heartbeatOnce().catch(() => undefined), HEARTBEAT_MS);
    heartbeat.unref();
  }

  /** An earlier run's results become the cache; its batches still queued are waited for, not sent again. */
  async function harvest(): Promise<void> {
    const now = Date.now();
    for (const job of await queue.getJobs(['completed'], 0, -1)) {
      const results = job.returnvalue;
      if (!job.id || !Array.isArray(results)) continue;
      job.data.files.forEach(([key], i) => {
        if (results[i]) cache.set(key, results[i]);
      });
      collected.push({ id: job.id, at: now });
    }
    for (const job of await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'], 0, -1)) {
      if (!job.id) continue;
      const keys = job.data.files.map(([key]) => key);
      outstanding.set(job.id, { data: job.data, keys, waiters: new Array<Waiter | undefined>(keys.length) });
      keys.forEach((key, index) => earlier.set(key, { id: job.id!, index }));
    }
    // A batch that failed every try is sent again: its files were never reported.
    for (const job of await queue.getJobs(['failed'], 0, -1)) if (job.id) await queue.remove(job.id).catch(() => undefined);
  }

  /** Refresh the registry entry; say when no worker is there; remove old collected jobs; resend lost ones. */
  async function heartbeatOnce(): Promise<void> {
    const now = Date.now();
    await client
      .multi()
      .zadd(KEYS.scans, now, o.scanId)
      .hset(KEYS.scan(o.scanId), { host: hostname(), pid: String(process.pid), run: String(run), filesDone: String(filesDone), seenAt: String(now) })
      .exec();
    if (outstanding.size > 0 && now - lastProgressAt >= noWorkerNoticeMs && now - lastNoticeAt >= NOTICE_REPEAT_MS) {
      const workers = await liveWorkers(client);
      if (workers.length === 0) {
        lastNoticeAt = now;
        o.onNotice(
          `no fleet worker is connected to ${o.target.display}; ${outstanding.size} batch(es) wait in Redis until a worker starts (hashsieve worker)`,
        );
      }
    }
    sweepCollected(now);
    if (now - lastProgressAt >= LOST_CHECK_MS) await resendLost();
  }

  function sweepCollected(now: number): void {
    while (collected.length > 0 && now - collected[0].at >= keepCollectedMs) {
      const { id } = collected.shift()!;
      void queue.remove(id).catch(() => undefined);
    }
  }

  function schedulePoll(): void {
    if (pollTimer !== null || polling || closed || outstanding.size === 0) return;
    pollTimer = setTimeout(() => {
      pollTimer = null;
      polling = true;
      poll()
        .then((found) => {
          pollFailingSince = null;
          pollDelay = found ? POLL_MIN_MS : Math.min(POLL_MAX_MS, pollDelay * 2);
        })
        .catch((e: unknown) => {
          // A Redis outage is waited out (the client reconnects); an error that persists ends the scan.
          pollFailingSince ??= Date.now();
          pollDelay = POLL_MAX_MS;
          if (Date.now() - pollFailingSince >= POLL_GIVE_UP_MS) failAll(e);
        })
        .finally(() => {
          polling = false;
          schedulePoll();
        });
    }, pollDelay);
  }

  /** Collect the batches that finished since the last look; true when any did. */
  async function poll(): Promise<boolean> {
    const ids = [...outstanding.entries()].filter(([, out]) => !out.resending).map(([id]) => id);
    let found = false;
    for (let i = 0; i < ids.length; i += POLL_CHUNK) {
      const chunk = ids.slice(i, i + POLL_CHUNK);
      const states = await client.multi().zmscore(queue.keys.completed, ...chunk).zmscore(queue.keys.failed, ...chunk).exec();
      const completed = states?.[0]?.[1] as (string | null)[];
      const failed = states?.[1]?.[1] as (string | null)[];
      const finished = chunk.filter((_, j) => completed[j] !== null || failed[j] !== null);
      if (finished.length === 0) continue;
      const pipe = client.pipeline();
      for (const id of finished) pipe.hmget(queue.toKey(id), 'returnvalue', 'failedReason');
      const rows = (await pipe.exec()) ?? [];
      finished.forEach((id, j) => {
        const [returnvalue, failedReason] = (rows[j]?.[1] ?? [null, null]) as [string | null, string | null];
        const ok = completed[chunk.indexOf(id)] !== null;
        if (!ok && failedReason === null) resend(id);
        else settle(id, ok ? parseResults(returnvalue) : null, failedReason);
      });
      found = true;
    }
    return found;
  }

  function parseResults(raw: string | null): WireResult[] | null {
    try {
      const v: unknown = raw === null ? null : JSON.parse(raw);
      return Array.isArray(v) ? (v as WireResult[]) : null;
    } catch {
      return null;
    }
  }

  function settle(id: string, results: WireResult[] | null, failedReason: string | null): void {
    const out = outstanding.get(id);
    if (!out) return;
    outstanding.delete(id);
    const now = Date.now();
    out.keys.forEach((key, i) => {
      const w = out.waiters[i];
      const r = results?.[i];
      if (r && w) w.resolve(decodeResult(w.path, r));
      else if (r) cache.set(key, r);
      else if (w) {
        const why = results ? 'its batch came back without it' : `its batch failed on every try (${failedReason ?? 'no reason given'})`;
        w.resolve(decodeResult(w.path, errorResult('', 'WORKER_CRASHED', `No fleet worker could hash this file: ${why}`)));
      } else earlier.delete(key);
    });
    filesDone += out.keys.length;
    lastProgressAt = now;
    collected.push({ id, at: now });
  }

  function flush(): void {
    if (linger !== null) clearTimeout(linger);
    linger = null;
    if (open.length === 0) return;
    const batch = open;
    open = [];
    batchNo += 1;
    const id = jobId(o.scanId, run, batchNo);
    const data = encodeBatch(batch[0].task, batch.map((b) => b.task));
    outstanding.set(id, { data, keys: data.files.map(([key]) => key), waiters: batch.map((b) => b.waiter) });
    enqueue(id, data);
  }

  function enqueue(id: string, data: BatchJob): void {
    queue
      .add('batch', data, {
        jobId: id,
        attempts: o.jobAttempts ?? 3,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      })
      .then(() => schedulePoll(), failAll);
  }

  /**
   * A batch in the failed set without a reason is a remnant of a Redis restart that lost its data
   * (a stale worker's answer to a job sent again): it is sent again, a few times at most.
   */
  function resend(id: string): void {
    const out = outstanding.get(id);
    if (!out) return;
    out.resends = (out.resends ?? 0) + 1;
    if (out.resends > MAX_RESENDS) {
      settle(id, null, 'Redis lost the batch repeatedly');
      return;
    }
    out.resending = true;
    void queue
      .remove(id)
      .catch(() => undefined)
      .then(() => {
        out.resending = false;
        enqueue(id, out.data);
      });
  }

  /** Batches whose job is gone from Redis (restarted without its data) are sent again under the same id. */
  async function resendLost(): Promise<void> {
    const ids = [...outstanding.keys()];
    for (let i = 0; i < ids.length; i += POLL_CHUNK) {
      const chunk = ids.slice(i, i + POLL_CHUNK);
      const pipe = client.pipeline();
      for (const id of chunk) pipe.exists(queue.toKey(id));
      const rows = (await pipe.exec()) ?? [];
      chunk.forEach((id, j) => {
        const out = outstanding.get(id);
        if (rows[j]?.[1] === 0 && out) enqueue(id, out.data);
      });
    }
  }

  return {
    concurrency: o.batchSize * o.jobsInFlight,
    scanId: o.scanId,
    holds(path) {
      const key = encodePath(path);
      return cache.has(key) || earlier.has(key);
    },
    async hash(task) {
      if (stopped) throw new Interrupted('Scan interrupted');
      if (fatal) throw fatal;
      init ??= start();
      await init;
      const key = encodePath(task.path);
      const cached = cache.get(key);
      if (cached) {
        cache.delete(key);
        earlier.delete(key);
        return decodeResult(task.path, cached);
      }
      return new Promise<ScannedFile>((resolve, reject) => {
        const waiter: Waiter = { path: task.path, resolve, reject };
        const before = earlier.get(key);
        const out = before && outstanding.get(before.id);
        if (before) earlier.delete(key);
        if (out && out.waiters[before.index] === undefined) {
          out.waiters[before.index] = waiter;
          schedulePoll();
          return;
        }
        open.push({ task, waiter });
        if (open.length >= o.batchSize) flush();
        else linger ??= setTimeout(flush, lingerMs);
      });
    },
    stop() {
      stopped = true;
      failAll(new Interrupted('Scan interrupted'));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (linger !== null) clearTimeout(linger);
      if (pollTimer !== null) clearTimeout(pollTimer);
      if (heartbeat !== null) clearInterval(heartbeat);
      const tidy = async (): Promise<void> => {
        if (init === null) return;
        await init.catch(() => undefined);
        // Keep the queue for a resume only if the scan was cut short: a batch nobody waits for is not needed.
        const unfinished = stopped || [...outstanding.values()].some((out) => out.waiters.some(Boolean)) || open.length > 0;
        const keep = o.resumable && unfinished;
        const m = client.multi().zrem(KEYS.scans, o.scanId);
        if (!keep) m.del(KEYS.runs(o.scanId), KEYS.scan(o.scanId));
        await m.exec();
        // scan() closes its hasher after the report's last flush: every result handed out is written.
        if (!keep) await queue.obliterate({ force: true });
      };
      try {
        // With Redis gone for good, leave its keys as they are (a later resume or fleet status sees them).
        await Promise.race([tidy(), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
      } finally {
        await queue.close().catch(() => undefined);
        client.disconnect();
      }
    },
  };
}
