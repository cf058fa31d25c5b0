import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** Every key the fleet writes starts with this (BullMQ's own `bull` prefix is replaced by it). */
export const FLEET_PREFIX = 'hashsieve';

/** A scan id: 16 hex digits, safe in a BullMQ queue name and job id (no `:`). */
export type ScanId = string;

/**
 * The same id for every run of a resumable scan (this host and this checkpoint file), a fresh one
 * otherwise: a resumed coordinator finds its queue and the results already in Redis.
 */
export function scanIdFor(checkpointPath: string | null): ScanId {
  if (checkpointPath === null) return randomBytes(8).toString('hex');
  return createHash('sha256').update(`${hostname()}\0${resolve(checkpointPath)}`).digest('hex').slice(0, 16);
}

/** One BullMQ queue per scan, so two scans on one Redis never see each other's batches. */
export function queueName(scanId: ScanId): string {
  return `scan-${scanId}`;
}

/** Job ids are the scan id, the run (how often this scan was started) and the batch number. */
export function jobId(scanId: ScanId, run: number, batch: number): string {
  return `${scanId}-${run}-${batch}`;
}

export const KEYS = {
  /** Sorted set: scan id → last heartbeat of its coordinator (ms). Workers serve the recent ones. */
  scans: `${FLEET_PREFIX}:fleet:scans`,
  /** Hash with a scan's coordinator (host, pid, files done). */
  scan: (id: ScanId) => `${FLEET_PREFIX}:fleet:scan:${id}`,
  /** Counter of a scan's runs (first run and each resume), part of its job ids. */
  runs: (id: ScanId) => `${FLEET_PREFIX}:fleet:scan:${id}:runs`,
  /** Set of worker ids; each one's details live in a key that expires unless refreshed. */
  workers: `${FLEET_PREFIX}:fleet:workers`,
  worker: (id: string) => `${FLEET_PREFIX}:fleet:worker:${id}`,
  /** Pub/sub channel a coordinator announces a new scan on, so workers need not wait for their next look. */
  announce: `${FLEET_PREFIX}:fleet:announce`,
} as const;

/** How often a coordinator and a worker refresh their entries. */
export const HEARTBEAT_MS = 2000;
/** A worker entry expires after this long without a heartbeat. */
export const WORKER_TTL_MS = 10_000;
/** Workers stop serving a scan whose coordinator has not been heard from for this long. */
export const SCAN_STALE_MS = 60_000;
