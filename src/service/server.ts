import { availableParallelism } from 'node:os';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { UsageError } from '../errors.js';
import { BankStore } from '../store/banks.js';
import { openStore } from '../store/store.js';
import { TokenStore, type TokenInfo, type TokenScope } from '../store/tokens.js';
import { sendError, type ServiceContext } from './context.js';
import { HttpError } from './errors.js';
import { BatchPool } from './batch-pool.js';
import { HashingService } from './hashing.js';
import { IndexState } from './index-state.js';
import { ServiceMetrics } from './metrics.js';
import { curationRoutes } from './routes-curation.js';
import { hashingRoutes } from './routes-hashing.js';
import { matchingRoutes } from './routes-matching.js';

export interface ServerOptions {
  /** The list store (opened writable: curation and tokens write to it). */
  readonly dbPath: string;
  /** Serve only these lists (list or bank names); null or absent: all, and banks created later. */
  readonly lists?: readonly string[] | null;
  /** Hash pool threads (default: the core count). */
  readonly workers?: number;
  /** Largest upload or fetched body, bytes (default 50 MB); larger is 413. */
  readonly maxUploadBytes?: number;
  /** Largest image in pixels an upload may decode to. */
  readonly maxPixels?: number;
  /** Bearer tokens required (default true). Turning it off is only for a loopback listener; the caller checks. */
  readonly auth?: boolean;
  /** Hosts a `url=` parameter may name; none (default) turns URL fetching off. */
  readonly allowFetchHosts?: readonly string[];
  /** Uploads hashing or queued at once before 503 + Retry-After (default 4 per worker). */
  readonly maxHashInFlight?: number;
  /** Per-upload hashing limit, ms (default 30 s). */
  readonly hashTimeoutMs?: number;
  /** Query threads for lookup_batch, each with its own copy of the indexes (default 0: the main thread answers). */
  readonly batchThreads?: number;
  /** How often to look for list changes made by other processes (e.g. `list import`), ms (default 30 s; 0 = never). */
  readonly refreshIntervalMs?: number;
  /** URL fetch limit, ms (default 10 s). */
  readonly fetchTimeoutMs?: number;
  /** fastify's logger option (pino): false, true, or pino options/instance. Request lines carry metadata only. */
  readonly logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  /** TLS key and certificate (PEM); absent: plain HTTP. */
  readonly https?: { readonly key: Buffer | string; readonly cert: Buffer | string } | null;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const DEFAULT_HASH_TIMEOUT_MS = 30_000;
const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
const DEFAULT_REFRESH_INTERVAL_MS = 30_000;
const IN_FLIGHT_PER_WORKER = 4;
const TOKEN_CACHE_MS = 1000;
const TOKEN_CACHE_MAX = 10_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The token scope a route needs; absent: open (only /status/live). */
    scope?: TokenScope;
  }
  interface FastifyRequest {
    tokenName?: string;
  }
  interface FastifyInstance {
    /** The service's library objects (index, banks, store), for embedding and tests. */
    hashsieve: ServiceContext;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

/** Whether a listen address is loopback only (where authentication may be turned off). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * An HTTP matching service speaking Hasher-Matcher-Actioner's OpenMediaMatch API. Returns the
 * fastify instance (not listening): `listen()` it, or `inject()` requests. The index builds in
 * the background; lookups answer 503 until it is ready.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`Expected a positive integer for workers but received ${workers}`);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const auth = options.auth ?? true;
  const store = openStore(options.dbPath);
  const hashing = HashingService.start({
    workers,
    maxInFlight: options.maxHashInFlight ?? workers * IN_FLIGHT_PER_WORKER,
    timeoutMs: options.hashTimeoutMs ?? DEFAULT_HASH_TIMEOUT_MS,
    limits: options.maxPixels ? { maxPixels: options.maxPixels } : {},
  });
  const tokens = new TokenStore(store.db);
  // A live token is trusted for TOKEN_CACHE_MS after its check (a revocation takes effect within
  // that time); unknown tokens are never cached.
  const tokenCache = new Map<string, { info: TokenInfo; until: number }>();
  const verifyCached = (secret: string): TokenInfo | null => {
    const now = performance.now();
    const hit = tokenCache.get(secret);
    if (hit && hit.until > now) return hit.info;
    const info = tokens.verify(secret);
    if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
    if (info) tokenCache.set(secret, { info, until: now + TOKEN_CACHE_MS });
    else tokenCache.delete(secret);
    return info;
  };
  const logger = options.logger ?? false;
  const isInstance = typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
  const app = Fastify({
    ...(isInstance ? { loggerInstance: logger as FastifyServerOptions['loggerInstance'] } : { logger: logger as FastifyServerOptions['logger'] }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert } } : {}),
  }) as unknown as FastifyInstance;

  const batchThreads = options.batchThreads ?? 0;
  if (!Number.isInteger(batchThreads) || batchThreads < 0) throw new UsageError(`Expected a non-negative integer for batchThreads but received ${batchThreads}`);
  const batchPool = batchThreads > 0 ? new BatchPool(batchThreads) : null;
  const index = new IndexState(store, {
    dbPath: options.dbPath,
    lists: options.lists ?? null,
    onError: (m) => app.log.error(m),
    // The query threads take the new indexes' sources; without them the sources are dropped now.
    onSwap: (s) => (batchPool ? batchPool.load(s) : s.banks.forEach((b) => b.signals.forEach((ix) => (ix.source = null)))),
  });
  const ctx: ServiceContext = {
    store,
    banks: new BankStore(store),
    index,
    hashing,
    batchPool,
    fetch: { allowHosts: (options.allowFetchHosts ?? []).map((h) => h.toLowerCase()), maxBytes: maxUploadBytes, timeoutMs: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS },
    maxUploadBytes,
  };
  const metrics = new ServiceMetrics(index, hashing);
  app.decorate('hashsieve', ctx);

  await app.register(multipart, { limits: { fileSize: maxUploadBytes } });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const scope = req.routeOptions.config.scope;
    if (!auth || scope === undefined) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = m ? verifyCached(m[1]) : null;
    if (!token) {
      void reply.header('WWW-Authenticate', 'Bearer');
      return sendError(reply, new HttpError(401, m ? 'Invalid or revoked token' : 'A bearer token is required'));
    }
    req.tokenName = token.name;
    if (!token.scopes.includes(scope)) return sendError(reply, new HttpError(403, `This token lacks the '${scope}' scope`));
  });

  // One line per request, metadata only: never the URL (it can carry a hash), never a body.
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    const ms = reply.elapsedTime;
    metrics.observe(req.method, route, reply.statusCode, ms / 1000);
    req.log.info({ method: req.method, route, status: reply.statusCode, ms: Math.round(ms * 100) / 100, token: req.tokenName ?? null }, 'request');
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err);
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
      return sendError(reply, new HttpError(413, 'Content too large'));
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, new HttpError(e.statusCode, e.message ?? 'Bad request'));
    }
    req.log.error({ err: { type: (err as Error)?.name, code: e.code } }, 'request failed');
    return sendError(reply, new HttpError(500, 'Internal error'));
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, new HttpError(404, 'Not Found')));

  const status = async (_req: unknown, reply: import('fastify').FastifyReply): Promise<unknown> =>
    index.current ? reply.type('text/plain').send('I-AM-ALIVE') : reply.code(503).type('text/plain').send('INDEX-NOT-LOADED');
  app.get('/status', { config: { scope: 'lookup' as const } }, status);
  app.get('/status/ready', { config: { scope: 'lookup' as const } }, status);
  app.get('/status/live', async (_req, reply) => reply.type('text/plain').send('I-AM-ALIVE'));
  app.get('/metrics', { config: { scope: 'lookup' as const } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  hashingRoutes(app, ctx);
  matchingRoutes(app, ctx);
  curationRoutes(app, ctx);

  const refreshMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
  const unwatch = refreshMs > 0 ? index.watch(refreshMs) : () => {};
  app.addHook('onClose', async () => {
    unwatch();
    await index.idle();
    await hashing.close();
    await batchPool?.close();
    store.close();
  });
  void index.refresh();
  return app;
}
