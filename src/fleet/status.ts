import { Queue } from 'bullmq';
import { checkRedis, createClient, type RedisTarget } from './connection.js';
import { FLEET_PREFIX, queueName, SCAN_STALE_MS, type ScanId } from './names.js';
import { allScans, liveWorkers, type WorkerInfo } from './registry.js';

export interface ScanStatus {
  readonly id: ScanId;
  readonly coordinator: { readonly host: string | null; readonly pid: number | null };
  /** Files whose results the coordinator has collected. */
  readonly filesDone: number;
  /** False when its coordinator has not been heard from for a while (dead, or interrupted and not resumed). */
  readonly live: boolean;
  readonly lastSeen: string;
  /** Batches by state; `done` are completed batches not yet collected and removed by the coordinator. */
  readonly batches: { readonly waiting: number; readonly active: number; readonly done: number; readonly failed: number };
}

export interface FleetStatus {
  readonly redis: string;
  readonly workers: readonly WorkerInfo[];
  readonly scans: readonly ScanStatus[];
}

/** What the fleet looks like now: live workers and every registered scan's batches. */
export async function fleetStatus(target: RedisTarget, now = Date.now()): Promise<FleetStatus> {
  await checkRedis(target);
  const client = createClient(target, 'hashsieve-status');
  client.on('error', () => undefined);
  try {
    await client.connect();
    const workers = await liveWorkers(client);
    const scans: ScanStatus[] = [];
    for (const s of await allScans(client)) {
      const queue = new Queue(queueName(s.id), { connection: client, prefix: FLEET_PREFIX });
      try {
        const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
        scans.push({
          id: s.id,
          coordinator: { host: s.host, pid: s.pid },
          filesDone: s.filesDone,
          live: now - s.seenAt < SCAN_STALE_MS,
          lastSeen: new Date(s.seenAt).toISOString(),
          batches: { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0, done: c.completed ?? 0, failed: c.failed ?? 0 },
        });
      } finally {
        await queue.close();
      }
    }
    return { redis: target.display, workers, scans };
  } finally {
    client.disconnect();
  }
}
