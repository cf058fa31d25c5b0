import type { FastifyInstance } from 'fastify';
import type { SignalHash } from '../results.js';
import type { SignalType } from '../signals/types.js';
import { bool, hashContent, query, readUpload, required, type ServiceContext } from './context.js';

/** HMA's hash response: hex per signal name; with dihedral=true also `<signal>_dihedral` maps (beyond HMA). */
export function hashResponse(signals: readonly SignalType[], hashes: Readonly<Record<string, SignalHash>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of signals) {
    out[s.name] = hashes[s.name].hash;
    if (hashes[s.name].dihedral) out[`${s.name}_dihedral`] = hashes[s.name].dihedral;
  }
  return out;
}

/** HMA's /h blueprint: GET with url= (only for allowed hosts), POST with a multipart upload. */
export function hashingRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/h/hash', { config: { scope: 'lookup' as const } }, async (req) => {
    const q = query(req);
    const url = required(q, 'url');
    const { signals, hashes } = await hashContent(ctx, { url, contentType: q.content_type }, q.types, bool(q, 'dihedral', false));
    return hashResponse(signals, hashes);
  });

  app.post('/h/hash', { config: { scope: 'lookup' as const } }, async (req) => {
    const q = query(req);
    const upload = (): ReturnType<typeof readUpload> => readUpload(req, ctx.maxUploadBytes);
    const { signals, hashes } = await hashContent(ctx, { upload }, q.types, bool(q, 'dihedral', false));
    return hashResponse(signals, hashes);
  });
}
