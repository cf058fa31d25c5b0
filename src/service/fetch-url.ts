import { HttpError } from './errors.js';

export interface FetchOptions {
  /** Hosts a `url=` may name (exact names; lower-case). Empty: fetching is off. */
  readonly allowHosts: readonly string[];
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

const MAX_REDIRECTS = 3;

function allowed(url: URL, hosts: readonly string[]): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && hosts.includes(url.hostname.toLowerCase());
}

/**
 * Fetch a `url=` into memory: only allowed hosts, redirects followed only to allowed hosts, the
 * upload size limit enforced while reading, and one deadline for the whole exchange.
 */
export async function fetchUrl(raw: string, opts: FetchOptions): Promise<{ bytes: Uint8Array; mime: string }> {
  if (opts.allowHosts.length === 0) throw new HttpError(400, 'Invalid or unsafe URL provided (fetching URLs is off on this server)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpError(400, 'Invalid or unsafe URL provided');
  }
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      if (!allowed(url, opts.allowHosts)) throw new HttpError(400, 'Invalid or unsafe URL provided (host not allowed)');
      const res = await fetch(url, { redirect: 'manual', signal });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new HttpError(400, 'Failed to fetch URL: too many redirects');
        url = new URL(res.headers.get('location')!, url);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new HttpError(400, `Failed to fetch URL: HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > opts.maxBytes) {
        await res.body?.cancel();
        throw new HttpError(413, 'Content too large');
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of res.body ?? []) {
        size += (chunk as Uint8Array).length;
        if (size > opts.maxBytes) throw new HttpError(413, 'Content too large');
        parts.push(chunk as Uint8Array);
      }
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      return { bytes, mime: res.headers.get('content-type') ?? '' };
    }
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (signal.aborted) throw new HttpError(400, 'Failed to fetch URL: timed out');
    throw new HttpError(400, 'Failed to fetch URL');
  }
}
