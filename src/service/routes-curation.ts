import type { FastifyInstance } from 'fastify';
import { UsageError } from '../errors.js';
import { SIGNALS } from '../signals/registry.js';
import { BankExists, BankNotFound, ImportedBank, type BankInfo } from '../store/banks.js';
import { bool, hashContent, parseSignal, query, readUpload, type ServiceContext } from './context.js';
import { badRequest, HttpError, notFound } from './errors.js';
import { parseVideoSignal } from './video-lookup.js';

const CURATE = { config: { scope: 'curate' as const } };
const READ = { config: { scope: 'lookup' as const } };
const NOTE_MAX = 255;
const METADATA_KEYS = ['content_id', 'content_uri', 'json'];

/** HMA's BankConfig. */
const bankConfig = (b: BankInfo): { name: string; matching_enabled_ratio: number } => ({ name: b.name, matching_enabled_ratio: b.enabledRatio });

/** Beyond HMA: where the bank's list came from (never its hashes). */
function provenance(b: BankInfo): Record<string, unknown> {
  const l = b.list;
  return {
    name: l.name,
    source_org: l.sourceOrg,
    version: l.version,
    imported_at: l.importedAt,
    source_file_sha256: l.sourceSha256,
    signature_status: l.signatureStatus,
    key_fingerprint: l.keyFingerprint,
    entries_digest: l.entriesDigest,
    counts: l.counts,
  };
}

function storeError(e: unknown): never {
  if (e instanceof BankNotFound) throw notFound(e.message);
  if (e instanceof BankExists || e instanceof ImportedBank) throw new HttpError(403, e.message);
  if (e instanceof UsageError) throw badRequest(e.message);
  throw e;
}

function note(v: unknown): string | null {
  if (!v) return null;
  if (typeof v !== 'string') throw badRequest('note should be a string');
  if (v.length > NOTE_MAX) throw badRequest(`note must be at most ${NOTE_MAX} characters`);
  return v;
}

function metadata(v: unknown): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest('metadata should be a json object');
  const m = { ...(v as Record<string, unknown>) };
  delete m.collab;
  for (const k of Object.keys(m)) if (!METADATA_KEYS.includes(k)) throw badRequest(`Invalid metadata: unknown field '${k}'`);
  return Object.keys(m).length ? m : null;
}

function contentId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw notFound('Not Found');
  return Number(raw);
}

/**
 * HMA's /c blueprint for banks and their content. Every change commits to the store, then the
 * index rebuilds in the background and is swapped in whole.
 */
export function curationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const changed = (): void => void ctx.index.refresh();

  app.get('/c/banks', READ, async () => ctx.banks.banks().map(bankConfig));

  app.post('/c/banks', CURATE, async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; enabled_ratio?: unknown; enabled?: unknown };
    if (typeof body.name !== 'string') throw new HttpError(422, 'name is required');
    const ratio = body.enabled_ratio !== undefined && body.enabled_ratio !== null ? Number(body.enabled_ratio) : body.enabled !== undefined && body.enabled !== null ? (body.enabled ? 1 : 0) : 1;
    try {
      const bank = ctx.banks.create(body.name, ratio);
      ctx.index.include(bank.list.id);
      changed();
      return reply.code(201).send(bankConfig(bank));
    } catch (e) {
      storeError(e);
    }
  });

  app.get('/c/bank/:name', READ, async (req) => {
    const { name } = req.params as { name: string };
    const bank = ctx.banks.bank(name);
    if (!bank) throw notFound(`bank '${name}' not found`);
    return { ...bankConfig(bank), list: provenance(bank) };
  });

  app.put('/c/bank/:name', CURATE, async (req) => {
    const { name } = req.params as { name: string };
    const body = (req.body ?? {}) as { name?: unknown; enabled_ratio?: unknown; enabled?: unknown };
    if (!ctx.banks.bank(name)) throw notFound('Bank not found');
    const change: { name?: string; enabledRatio?: number } = {};
    if (body.name !== undefined && body.name !== null) {
      if (typeof body.name !== 'string') throw new HttpError(422, 'name must be a string');
      change.name = body.name;
    }
    if (body.enabled !== undefined && body.enabled !== null) change.enabledRatio = body.enabled ? 1 : 0;
    if (body.enabled_ratio !== undefined && body.enabled_ratio !== null) change.enabledRatio = Number(body.enabled_ratio);
    try {
      const bank = ctx.banks.update(name, change);
      changed();
      return bankConfig(bank);
    } catch (e) {
      if (e instanceof BankExists) throw new HttpError(403, 'Bank name already exists');
      if (e instanceof ImportedBank) throw new HttpError(403, e.message);
      storeError(e);
    }
  });

  app.delete('/c/bank/:name', CURATE, async (req) => {
    const { name } = req.params as { name: string };
    if (ctx.banks.delete(name)) changed();
    return { message: 'Done' };
  });

  const addSignals = (name: string, hexes: Record<string, unknown>, extra: { note: string | null; metadata: Record<string, unknown> | null }): { id: number; signals: Record<string, string> } => {
    if (Object.keys(hexes).length === 0) throw badRequest('No signals given');
    const parsed: Record<string, Uint8Array | Uint8Array[]> = {};
    const echoed: Record<string, string> = {};
    for (const [st, val] of Object.entries(hexes)) {
      const signal = SIGNALS.get(st);
      if (!signal) throw badRequest(`No such signal type ${st}`);
      if (signal.kind === 'video') {
        const frames = parseVideoSignal(signal, val);
        parsed[st] = frames;
        echoed[st] = String(val).trim();
        continue;
      }
      if (typeof val !== 'string') throw badRequest(`Invalid ${st} signal: expected a string`);
      const hash = parseSignal(signal, val, `Invalid ${st} signal: `);
      parsed[st] = hash;
      echoed[st] = signal.format(hash);
    }
    try {
      const id = ctx.banks.addContent(name, parsed, extra);
      changed();
      return { id, signals: echoed };
    } catch (e) {
      storeError(e);
    }
  };

  app.post('/c/bank/:name/signal', CURATE, async (req) => {
    const { name } = req.params as { name: string };
    if (!ctx.banks.bank(name)) throw notFound(`bank '${name}' not found`);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Expected a JSON object of signal type to hash');
    const { note: n, ...hexes } = body as Record<string, unknown>;
    return addSignals(name, hexes, { note: note(n), metadata: null });
  });

  app.post('/c/bank/:name/content', CURATE, async (req) => {
    const { name } = req.params as { name: string };
    if (!ctx.banks.bank(name)) throw notFound(`bank '${name}' not found`);
    const q = query(req);
    let fields: Record<string, string> = {};
    let source: Parameters<typeof hashContent>[1];
    if (q.url) source = { url: q.url, contentType: q.content_type };
    else if (req.isMultipart()) {
      source = {
        upload: async () => {
          const u = await readUpload(req, ctx.maxUploadBytes);
          fields = u.fields;
          return u;
        },
      };
    } else throw badRequest('Neither `url` nor multipart file upload was received');
    const { signals, hashes } = await hashContent(ctx, source, q.types, bool(q, 'dihedral', false));
    let meta: unknown = null;
    if (fields.metadata !== undefined) {
      try {
        meta = JSON.parse(fields.metadata);
      } catch {
        throw badRequest('metadata form field must be valid JSON');
      }
    }
    const hexes = Object.fromEntries(signals.map((s) => [s.name, hashes[s.name].hash]));
    return addSignals(name, hexes, { note: note(fields.note), metadata: metadata(meta) });
  });

  app.get('/c/bank/:name/content/:id', READ, async (req) => {
    const { name, id } = req.params as { name: string; id: string };
    const q = query(req);
    const bank = ctx.banks.bank(name);
    if (!bank) throw notFound(`bank '${name}' not found`);
    const c = ctx.banks.content(name, contentId(id));
    if (!c) throw notFound(`content '${id}' not found`);
    const out: Record<string, unknown> = {
      id: c.id,
      disable_until_ts: c.disableUntilTs,
      original_media_uri: null,
      bank: bankConfig(bank),
    };
    if (bool(q, 'include_signals', false)) out.signals = c.signals;
    if (bool(q, 'include_metadata', true) && c.metadata) out.metadata = c.metadata;
    if (c.note !== null) out.note = c.note;
    return out;
  });

  app.delete('/c/bank/:name/content/:id', CURATE, async (req) => {
    const { name, id } = req.params as { name: string; id: string };
    if (!ctx.banks.bank(name)) throw notFound(`bank '${name}' not found`);
    try {
      const deleted = ctx.banks.deleteContent(name, contentId(id));
      if (deleted) changed();
      return { deleted };
    } catch (e) {
      storeError(e);
    }
  });
}
