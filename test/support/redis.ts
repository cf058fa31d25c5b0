import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface TestRedis {
  /** Unix socket path: what --queue takes. */
  readonly socket: string;
  readonly dir: string;
  /** SIGKILL the server (AOF with fsync always keeps every write). */
  kill(): Promise<void>;
  /** Start it again on the same socket and data folder. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A private redis-server on a unix socket in a temporary folder (no TCP port), optionally with AOF and a password. */
export async function startRedis(opts: { aof?: boolean; password?: string } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-redis-'));
  const socket = join(dir, 'redis.sock');
  let child: ChildProcess | null = null;
  const args = [
    '--port', '0',
    '--unixsocket', socket,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--save', '',
    '--appendonly', opts.aof ? 'yes' : 'no',
    '--appendfsync', 'always',
    ...(opts.password ? ['--requirepass', opts.password] : []),
  ];
  const start = async (): Promise<void> => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (existsSync(socket)) {
        const c = new Redis({ path: socket, password: opts.password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        c.on('error', () => undefined);
        try {
          await c.connect();
          if ((await c.ping()) === 'PONG') {
            // AOF rewrite at start can still be loading: wait for a loaded data set.
            c.disconnect();
            return;
          }
        } catch {
          // not ready yet
        } finally {
          c.disconnect();
        }
      }
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const waitExit = (signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  await start();
  return { socket, dir, start, kill: () => waitExit('SIGKILL'), stop: () => waitExit('SIGTERM') };
}
