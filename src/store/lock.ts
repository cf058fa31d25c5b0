import type Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a writer waiting for the database's write lock is told: once when it starts waiting, once when it has the lock. */
export type LockWaitListener = (state: 'waiting' | 'acquired', waitedMs: number) => void;

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 500;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * BEGIN IMMEDIATE, waiting as long as another writer holds the lock (SQLite releases it when that
 * process ends). Polls without blocking the event loop, so Ctrl-C and timers keep working; the
 * connection's busy timeout is restored afterwards.
 */
export async function beginWrite(db: Database.Database, onWait?: LockWaitListener): Promise<void> {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  const started = Date.now();
  let waiting = false;
  let poll = FIRST_POLL_MS;
  try {
    for (;;) {
      try {
        db.exec('BEGIN IMMEDIATE');
        break;
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
      if (!waiting) {
        waiting = true;
        onWait?.('waiting', Date.now() - started);
      }
      await sleep(poll);
      poll = Math.min(MAX_POLL_MS, poll * 2);
    }
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
  if (waiting) onWait?.('acquired', Date.now() - started);
}
