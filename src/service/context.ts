import type {} from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HashFormatError, UsageError } from '../errors.js';
import { isPerceptual, SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import type { BankStore } from '../store/banks.js';
import type { Store } from '../store/store.js';
import { CONTENT_TYPES, signalsForContentType } from './content-types.js';
import { badRequest, HttpError } from './errors.js';
import { fetchUrl, type FetchOptions } from './fetch-url.js';
import type { BatchPool } from './batch-pool.js';
import type { HashingService } from './hashing.js';
import type { IndexState, Snapshot } from './index-state.js';

/** What every route reaches: the library objects, never a command-line flag. */
export interface ServiceContext {
  readonly store: Store;
  readonly banks: BankStore;
  readonly index: IndexState;
  readonly hashing: HashingService;
  /** Query threads for lookup_batch; null: batches are answered on the main thread. */
  readonly batchPool: BatchPool | null;
  readonly fetch: FetchOptions;
  readonly maxUploadBytes: number;
}

export type Query = Record<string, string | undefined>;

/** The query string as single strings: a repeated parameter counts by its last value (never a list). */
export function query(req: FastifyRequest): Query {
  const raw = (req.query ?? {}) as Record<string, string | string[] | undefined>;
  const out: Query = {};
  for (const [k, v] of Object.entries(raw)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}

/** A required query parameter; missing is 422 as HMA's request validation answers. */
export function required(q: Query, name: string): string {
  const v = q[name];
  if (v === undefined || v === '') throw new HttpError(422, `${name} is required`);
  return v;
}

/** A boolean query parameter as pydantic reads one (true/false, 1/0, yes/no, on/off). */
export function bool(q: Query, name: string, fallback: boolean): boolean {
  const v = q[name];
  if (v === undefined) return fallback;
  const s = v.toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return false;
  throw new HttpError(422, `${name} must be a boolean`);
}

/** HMA's `banks=A,B` filter: null when absent. */
export function bankFilter(q: Query): Set<string> | null {
  return q.banks ? new Set(q.banks.split(',')) : null;
}

/** The signal type named by a request; HMA's message when there is none. */
export function signalType(name: string): SignalType {
  const s = SIGNALS.get(name);
  if (!s) throw badRequest(`No such SignalType '${name}'`);
  return s;
}

/** Parse a hash string; a malformed one is 400 (HMA answers 400 "invalid signal: ..."). */
export function parseSignal(s: SignalType, hex: string, prefix = 'invalid signal: '): Uint8Array {
  try {
    return s.parse(hex.trim());
  } catch (e) {
    if (e instanceof HashFormatError || e instanceof RangeError || e instanceof UsageError) throw badRequest(`${prefix}${e.message}`);
    throw e;
  }
}

/** The current index, or 503 until the first build is done. */
export function ready(ctx: ServiceContext): Snapshot {
  const s = ctx.index.current;
  if (!s) throw new HttpError(503, ctx.index.error ? `index not yet ready (${ctx.index.error})` : 'index not yet ready', 'NOT_READY', 5);
  return s;
}

/** The signals to hash for a content type, narrowed by HMA's `types=` parameter. */
export function chooseSignals(contentType: string, types: string | undefined): SignalType[] {
  let fitting: SignalType[];
  try {
    fitting = signalsForContentType(contentType);
  } catch (e) {
    if (e instanceof UsageError) throw badRequest(e.message);
    throw e;
  }
  if (types === undefined) return fitting;
  const out: SignalType[] = [];
  for (const raw of types.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    const s = fitting.find((f) => f.name === name);
    if (!s) throw badRequest(`signal type '${name}' doesn't exist or is disabled`);
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw badRequest('empty signal type selection');
  return out;
}

export interface Upload {
  readonly contentType: string;
  readonly bytes: Uint8Array;
  readonly fields: Record<string, string>;
}

/**
 * Read a multipart upload into memory: exactly one file, in a field named by its content type
 * (HMA's rule), plus plain fields; over the size limit is 413 (the part is never kept).
 */
export async function readUpload(req: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!req.isMultipart()) throw badRequest('Missing multipart/form-data file upload');
  let upload: { contentType: string; bytes: Uint8Array } | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 2, fields: 16, fieldSize: 64 * 1024 } })) {
      if (part.type === 'file') {
        if (upload) {
          await part.toBuffer().catch(() => null);
          throw badRequest('Only one file allowed per request');
        }
        const bytes = await part.toBuffer();
        if (!(CONTENT_TYPES as readonly string[]).includes(part.fieldname)) throw badRequest(`no such content_type: '${part.fieldname}'`);
        upload = { contentType: part.fieldname, bytes };
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    // A body the multipart parser cannot read (busboy throws plain Errors) is the client's fault: 400, not 500.
    const e = err as { statusCode?: number };
    if (err instanceof HttpError || typeof e.statusCode === 'number') throw err;
    throw badRequest('Malformed multipart/form-data body');
  }
  if (!upload) throw badRequest('Missing multipart/form-data file upload');
  return { ...upload, fields };
}

/** Hash an upload or fetched content with the pool; a slot is taken before the body is read and held while it hashes. */
export async function hashContent(
  ctx: ServiceContext,
  source: { upload: () => Promise<Upload> } | { url: string; contentType: string | undefined },
  types: string | undefined,
  dihedral: boolean,
): Promise<{ signals: SignalType[]; hashes: Awaited<ReturnType<HashingService['hash']>> }> {
  const release = ctx.hashing.reserve();
  try {
    let bytes: Uint8Array;
    let contentType: string;
    if ('upload' in source) {
      const upload = await source.upload();
      bytes = upload.bytes;
      contentType = upload.contentType;
    } else {
      const fetched = await fetchUrl(source.url, ctx.fetch);
      bytes = fetched.bytes;
      contentType = source.contentType ?? contentTypeOfMime(fetched.mime);
    }
    const signals = chooseSignals(contentType, types);
    return { signals, hashes: await ctx.hashing.hash(bytes, signals, dihedral && signals.some(isPerceptual)) };
  } finally {
    release();
  }
}

function contentTypeOfMime(mime: string): string {
  const m = mime.toLowerCase();
  if (m.startsWith('image')) return 'photo';
  if (m.startsWith('video')) return 'video';
  throw badRequest(
    `unsupported url ContentType: '${mime}', if you know the expected type, provide it with the content_type query param`,
  );
}

export function sendError(reply: FastifyReply, e: HttpError): FastifyReply {
  if (e.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(e.retryAfterSeconds));
  return reply.code(e.statusCode).send(e.code ? { message: e.message, code: e.code } : { message: e.message });
}
