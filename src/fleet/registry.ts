import type { Redis } from 'ioredis';
import { KEYS, SCAN_STALE_MS, type ScanId } from './names.js';

/** What a worker publishes about itself every heartbeat (metadata only). */
export interface WorkerInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly threads: number;
  /** False in the stat-only benchmark mode. */
  readonly decode: boolean;
  readonly startedAt: string;
  /** Files hashed since it started, and per second over the last heartbeat period. */
  readonly files: number;
  readonly filesPerSecond: number;
  /** Scans it currently takes batches from. */
  readonly scans: readonly ScanId[];
}

/** Workers whose entry has not expired; ids whose entry did are dropped from the set. */
export async function liveWorkers(client: Redis): Promise<WorkerInfo[]> {
  const ids = await client.smembers(KEYS.workers);
  if (ids.length === 0) return [];
  const values = await client.mget(ids.map((id) => KEYS.worker(id)));
  const gone = ids.filter((_, i) => values[i] === null);
  if (gone.length > 0) await client.srem(KEYS.workers, ...gone);
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo);
}

/** Scans whose coordinator was heard from recently, newest first. */
export async function activeScans(client: Redis, now = Date.now()): Promise<ScanId[]> {
  return client.zrevrangebyscore(KEYS.scans, '+inf', now - SCAN_STALE_MS);
}

export interface ScanEntry {
  readonly id: ScanId;
  readonly host: string | null;
  readonly pid: number | null;
  readonly filesDone: number;
  readonly seenAt: number;
}

/** Every scan in the registry, stale ones included (a coordinator that died and was not resumed). */
export async function allScans(client: Redis): Promise<ScanEntry[]> {
  const ids = await client.zrevrange(KEYS.scans, 0, -1, 'WITHSCORES');
  const out: ScanEntry[] = [];
  for (let i = 0; i < ids.length; i += 2) {
    const id = ids[i];
    const h = await client.hgetall(KEYS.scan(id));
    out.push({
      id,
      host: h.host ?? null,
      pid: h.pid ? Number(h.pid) : null,
      filesDone: Number(h.filesDone ?? 0),
      seenAt: Number(ids[i + 1]),
    });
  }
  return out;
}
