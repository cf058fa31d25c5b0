import type { FastifyInstance } from 'fastify';
import type { SignalHash } from '../results.js';
import { isPerceptual, SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import { bankFilter, bool, hashContent, parseSignal, query, readUpload, ready, required, signalType, type ServiceContext } from './context.js';
import { badRequest, HttpError } from './errors.js';
import { parseBatchLine } from './batch.js';
import type { BatchResult } from './batch-worker.js';
import { addHits, sortHits, type Hit, type Snapshot } from './index-state.js';
import { byBank, dihedralOf, lookup, rawLookup, type LookupOptions, type MatchesByBank } from './matching.js';
import { compareVideoSignals, parseVideoFrames, videoLookup, videoRawLookup } from './video-lookup.js';

const LOOKUP = { config: { scope: 'lookup' as const } };
/** Lines in one lookup_batch request. */
export const MAX_BATCH_LINES = 100_000;
/** Smaller batches are answered on the main thread (a round trip to the query threads costs more). */
const PARALLEL_MIN_LINES = 64;

function lookupOptions(q: Record<string, string | undefined>): LookupOptions {
  return { banks: bankFilter(q), bypassCoinflip: bool(q, 'bypass_coinflip', false), seed: q.seed };
}

/** HMA's /m blueprint: raw_lookup, lookup (signal, url, upload), compare, index/status; plus lookup_batch. */
export function matchingRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/m/raw_lookup', LOOKUP, async (req) => {
    const q = query(req);
    const signal = required(q, 'signal');
    const st = signalType(required(q, 'signal_type'));
    if (st.kind === 'video') return { matches: videoRawLookup(ctx.store, ctx.banks, ready(ctx), st, parseVideoFrames(st, signal), bankFilter(q), bool(q, 'include_distance', false)) };
    const hash = parseSignal(st, signal);
    const snapshot = ready(ctx);
    return { matches: rawLookup(snapshot, st, hash, bankFilter(q), bool(q, 'include_distance', false)) };
  });

  app.get('/m/lookup', LOOKUP, async (req) => {
    const q = query(req);
    const opts = lookupOptions(q);
    if (q.url) {
      const { signals, hashes } = await hashContent(ctx, { url: q.url, contentType: q.content_type }, q.types, bool(q, 'dihedral', false));
      const snapshot = ready(ctx);
      const resp: Record<string, MatchesByBank> = {};
      for (const s of signals) resp[s.name] = contentLookup(ctx, snapshot, s, hashes[s.name], opts);
      return q.signal_type !== undefined ? (resp[q.signal_type] ?? {}) : resp;
    }
    if (!q.signal || !q.signal_type) throw badRequest('Either url or both signal and signal_type are required');
    if (bool(q, 'dihedral', false)) throw badRequest('dihedral=true needs the content (url or upload), not a hash');
    const st = signalType(q.signal_type);
    if (st.kind === 'video') return videoLookup(ctx.store, ctx.banks, ready(ctx), st, parseVideoFrames(st, q.signal), opts);
    const hash = parseSignal(st, q.signal);
    return lookup(ready(ctx), st, hash, opts);
  });

  app.post('/m/lookup', LOOKUP, async (req) => {
    const q = query(req);
    const opts = lookupOptions(q);
    ready(ctx);
    const upload = (): ReturnType<typeof readUpload> => readUpload(req, ctx.maxUploadBytes);
    const { signals, hashes } = await hashContent(ctx, { upload }, q.types, bool(q, 'dihedral', false));
    const snapshot = ready(ctx);
    const resp: Record<string, MatchesByBank> = {};
    for (const s of signals) resp[s.name] = contentLookup(ctx, snapshot, s, hashes[s.name], opts);
    return resp;
  });

  app.post('/m/compare', LOOKUP, async (req) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Request input was not a dict');
    const out: Record<string, unknown> = {};
    for (const [name, pair] of Object.entries(body as Record<string, unknown>)) {
      if (!Array.isArray(pair)) throw badRequest(`Comparison hashes for ${name} was not a list`);
      if (pair.length !== 2) throw badRequest('Comparison hash list length must be exactly 2');
      const st = signalType(name);
      if (typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw badRequest(`Invalid ${name} hash: expected a string`);
      if (st.kind === 'video') {
        out[name] = compareVideoSignals(st, pair[0], pair[1]);
        continue;
      }
      const a = parseSignal(st, pair[0], `Invalid ${name} hash: `);
      const b = parseSignal(st, pair[1], `Invalid ${name} hash: `);
      if (a.length !== b.length) throw badRequest(`Invalid ${name} hash: the two hashes differ in length`);
      if (isPerceptual(st)) {
        const distance = st.distance(a, b);
        out[name] = [distance <= st.defaultThreshold, { distance }];
      } else {
        out[name] = [st.distance(a, b) === 0, {}];
      }
    }
    return out;
  });

  app.get('/m/index/status', LOOKUP, async (req) => {
    const limit = query(req).signal_type;
    if (limit !== undefined && !SIGNALS.has(limit)) throw badRequest(`No such signal type '${limit}'`);
    const snapshot = ctx.index.current;
    const out: Record<string, { present: boolean; built_to: number; size: number }> = {};
    for (const name of SIGNALS.keys()) {
      if (limit !== undefined && name !== limit) continue;
      out[name] = snapshot
        ? { present: true, built_to: snapshot.builtTo, size: snapshot.banks.reduce((n, b) => n + (b.signals.get(name)?.size ?? 0), 0) }
        : { present: false, built_to: -1, size: 0 };
    }
    return out;
  });

  app.post('/m/lookup_batch', { ...LOOKUP, bodyLimit: 64 * 1024 * 1024 }, async (req, reply) => {
    const opts = lookupOptions(query(req));
    if (typeof req.body !== 'string') throw new HttpError(415, 'Expected application/x-ndjson: one {"signal_type", "signal"} object a line');
    const snapshot = ready(ctx);
    const lines = req.body.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length > MAX_BATCH_LINES) throw new HttpError(413, `At most ${MAX_BATCH_LINES} lines a request`);
    let answers: unknown[] | null = null;
    if (ctx.batchPool?.usable && lines.length >= PARALLEL_MIN_LINES) {
      try {
        answers = (await ctx.batchPool.run(snapshot, lines, opts.banks)).map((r, i) => (r === null ? batchLine(ctx, lines[i], snapshot, opts) : fromThread(snapshot, r, opts)));
      } catch (e) {
        req.log.warn({ err: { type: (e as Error)?.name } }, 'batch query threads failed; answering on the main thread');
      }
    }
    answers ??= lines.map((line) => batchLine(ctx, line, snapshot, opts));
    let out = '';
    for (const a of answers) out += `${JSON.stringify(a)}\n`;
    return reply.type('application/x-ndjson').send(out);
  });
}

/** One signal of hashed content looked up: a video's frames against each bank's videos, else its hash. */
function contentLookup(ctx: ServiceContext, snapshot: Snapshot, s: SignalType, h: SignalHash, opts: LookupOptions): MatchesByBank {
  if (s.kind === 'video') return videoLookup(ctx.store, ctx.banks, snapshot, s, parseVideoFrames(s, h.hash), opts);
  return lookup(snapshot, s, s.parse(h.hash), opts, dihedralOf(s, h));
}

/** A query thread's answer for one line, keyed by bank as a lookup answers. */
function fromThread(snapshot: Snapshot, r: Exclude<BatchResult, null>, opts: LookupOptions): unknown {
  if (typeof r === 'string') return { message: r };
  const byPos = new Map<number, { id: number; distance: number }[]>();
  for (let i = 0; i < r.h.length; i += 3) {
    let list = byPos.get(r.h[i]);
    if (!list) byPos.set(r.h[i], (list = []));
    list.push({ id: r.h[i + 1], distance: r.h[i + 2] });
  }
  const hits: Hit[] = [];
  for (const [pos, matches] of byPos) addHits(hits, snapshot.banks[pos], matches);
  return byBank(SIGNALS.get(r.s)!, sortHits(hits), opts);
}

/**
 * One lookup_batch line on the main thread: the bank map `/m/lookup?signal=` gives (a video line
 * too), or `{"message"}` for a bad line (bank names are upper-case, so never "message").
 */
function batchLine(ctx: ServiceContext, line: string, snapshot: Snapshot, opts: LookupOptions): unknown {
  const item = parseBatchLine(line);
  if ('message' in item) return { message: item.message };
  if ('hash' in item) return lookup(snapshot, item.signal, item.hash, opts);
  try {
    return videoLookup(ctx.store, ctx.banks, snapshot, item.signal, parseVideoFrames(item.signal, item.video), opts);
  } catch (e) {
    if (e instanceof HttpError) return { message: e.message };
    throw e;
  }
}
