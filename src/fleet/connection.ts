import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../errors.js';

/** Where Redis is and how to log in: ioredis options plus a description without the password. */
export interface RedisTarget {
  readonly options: RedisOptions;
  /** For messages: the URL with any password replaced by `***`. */
  readonly display: string;
}

/** Longest pause between reconnection attempts after Redis went away. */
export const MAX_RECONNECT_DELAY_MS = 5000;

/** Exponential backoff from 100 ms, capped: a restarted Redis is found again within seconds. */
export function reconnectDelay(times: number): number {
  return Math.min(100 * 2 ** Math.min(times, 16), MAX_RECONNECT_DELAY_MS);
}

/**
 * `redis://[user:pass@]host[:port][/db]`, `rediss://` (TLS), or a unix socket path (`/run/redis.sock`,
 * `unix:///run/redis.sock`, optionally `?db=N`). A password absent from the URL is taken from
 * `password` (the caller reads it from its environment), so it need not appear in a process list.
 */
export function parseRedisUrl(url: string, password?: string): RedisTarget {
  const common: RedisOptions = { retryStrategy: reconnectDelay, maxRetriesPerRequest: null, lazyConnect: true };
  const envPassword = password !== undefined && password !== '' ? password : undefined;
  if (url.startsWith('/') || url.startsWith('unix://')) {
    const u = url.startsWith('/') ? null : new URL(url);
    const path = u ? decodeURIComponent(u.pathname) : url.split('?')[0];
    const query = u ? u.searchParams : new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const db = parseDb(query.get('db') ?? '', url);
    const user = u?.username ? decodeURIComponent(u.username) : undefined;
    const pass = u?.password ? decodeURIComponent(u.password) : envPassword;
    return {
      options: { ...common, path, db, ...(user && { username: user }), ...(pass !== undefined && { password: pass }) },
      display: `unix:${path}${db ? `?db=${db}` : ''}`,
    };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badUrl(url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw badUrl(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw badUrl(url);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = parseDb(u.pathname.replace(/^\//, ''), url);
  const user = u.username ? decodeURIComponent(u.username) : undefined;
  const pass = u.password ? decodeURIComponent(u.password) : envPassword;
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return {
    options: {
      ...common,
      host,
      port,
      db,
      ...(user && { username: user }),
      ...(pass !== undefined && { password: pass }),
      ...(u.protocol === 'rediss:' && { tls: { servername: host } }),
    },
    display: shown.toString(),
  };
}

function parseDb(spec: string, url: string): number {
  if (spec === '') return 0;
  if (!/^\d+$/.test(spec)) throw badUrl(url);
  return Number(spec);
}

function badUrl(url: string): UsageError {
  const shown = url.replace(/:\/\/([^:@/]*):[^@/]*@/, '://$1:***@');
  return new UsageError(
    `Expected a Redis URL like redis://host:6379/0, rediss://user@host:6380 or a unix socket path like /run/redis/redis.sock but received ${shown}`,
  );
}

/** The same target as BullMQ's connection option (its own RedisOptions type is a looser copy of ioredis's). */
export function bullConnection(target: RedisTarget): ConnectionOptions {
  return target.options as ConnectionOptions;
}

/** A plain client (not a BullMQ one) that retries with backoff for as long as it lives. */
export function createClient(target: RedisTarget, name: string): Redis {
  return new Redis({ ...target.options, connectionName: name });
}

/**
 * Connect once, without retrying, and PING: a wrong password or an unreachable server is a clear
 * UsageError at start rather than an endless retry loop.
 */
export async function checkRedis(target: RedisTarget): Promise<void> {
  const client = new Redis({ ...target.options, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 5000 });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => {
    lastError ??= e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw describeConnectError(target, lastError ?? (e as Error));
  } finally {
    client.disconnect();
  }
}

/** A person-readable reason for a failed connection; never includes the password. */
export function describeConnectError(target: RedisTarget, e: Error): UsageError {
  const text = `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) {
    return new UsageError(
      `Redis at ${target.display} refused the login (${firstWord(e.message)}): check the user and password (HASHSIEVE_REDIS_PASSWORD or the URL)`,
    );
  }
  if (/NOPERM/.test(text)) return new UsageError(`Redis at ${target.display}: this user lacks a permission the fleet needs (${firstWord(e.message)})`);
  const code = (e as NodeJS.ErrnoException).code;
  const reason = e.message.replace(/^connect\s+/, '');
  return new UsageError(`Cannot reach Redis at ${target.display}: ${code && !reason.includes(code) ? `${code} ` : ''}${reason}`);
}

function firstWord(message: string): string {
  return message.split(/\s/)[0] ?? message;
}
