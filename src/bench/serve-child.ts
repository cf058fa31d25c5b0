import { createServer, type ServerOptions } from '../service/server.js';

/**
 * The service under `bench serve`, in its own process (the load generator must not share its
 * event loop): options as JSON in argv[2]; prints "READY <url>" and stops on SIGTERM.
 */
const opts = JSON.parse(process.argv[2]) as ServerOptions & { logLevel: string };
const { Writable } = await import('node:stream');
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const app = await createServer({ ...opts, logger: { level: opts.logLevel, stream: sink } });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
await app.hashsieve.index.idle();
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
