import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createToken, FIXTURES, importHashes, lib, logSink, revokeToken, tempDb, until } from './serve-helpers.js';

// HMA's sample PDQ hashes (python-threatexchange PdqSignal.get_examples), benign.
const H1 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const H1_NEAR = 'f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22';
const H_FAR = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d';
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

const { db } = tempDb();
const logs = logSink();
let app: any;
let base: string;
let lookupToken: string;
let curateToken: string;
let bothToken: string;
/** Every hash the service computed from uploaded content during this file's tests (the log check). */
const uploadHashes = new Set<string>();

function remember(body: Record<string, unknown>): void {
  for (const v of Object.values(body)) {
    if (typeof v === 'string') uploadHashes.add(v);
    else if (v && typeof v === 'object') for (const d of Object.values(v)) if (typeof d === 'string') uploadHashes.add(d);
  }
}

const auth = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

async function get(path: string, token = lookupToken): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(base + path, { headers: auth(token) });
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: r.status, body, headers: r.headers };
}

async function send(method: string, path: string, payload: unknown, token = curateToken): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: auth(token) };
  if (payload instanceof FormData) init.body = payload;
  else if (payload !== undefined) {
    init.body = JSON.stringify(payload);
    init.headers = { ...auth(token), 'content-type': 'application/json' };
  }
  const r = await fetch(base + path, init);
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: r.status, body, headers: r.headers };
}

function upload(file: string | Buffer, field = 'photo'): FormData {
  const bytes = typeof file === 'string' ? readFileSync(new URL(file, FIXTURES)) : file;
  const fd = new FormData();
  fd.append(field, new Blob([bytes]), 'upload.bin');
  return fd;
}

beforeAll(async () => {
  await importHashes(db, 'ncmec-test', 'pdq', [H1]);
  await importHashes(db, 'DIGESTS', 'md5', [MD5]);
  lookupToken = createToken(db, 'reader', ['lookup']);
  curateToken = createToken(db, 'curator', ['curate']);
  bothToken = createToken(db, 'both', ['lookup', 'curate']);
  app = await lib.createServer({ dbPath: db, workers: 1, logger: { level: 'info', stream: logs.stream } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  await app.hashsieve.index.idle();
});

afterAll(async () => {
  await app?.close();
});

describe('status', () => {
  test('live needs no token; /status and /status/ready answer I-AM-ALIVE once the index is loaded', async () => {
    const live = await fetch(`${base}/status/live`);
    expect(live.status).toBe(200);
    expect(await live.text()).toBe('I-AM-ALIVE');
    expect(await get('/status')).toMatchObject({ status: 200, body: 'I-AM-ALIVE' });
    expect(await get('/status/ready')).toMatchObject({ status: 200, body: 'I-AM-ALIVE' });
  });

  test('before the index is built: 503 with a message (and INDEX-NOT-LOADED on /status)', async () => {
    const { db: db2 } = tempDb();
    await importHashes(db2, 'L', 'pdq', [H1]);
    const s = await lib.createServer({ dbPath: db2, workers: 1, auth: false });
    try {
      const st = await s.inject('/status');
      const r = await s.inject(`/m/raw_lookup?signal=${H1}&signal_type=pdq`);
      // The build runs on a thread; both answers are checked only if it has not finished yet.
      if (!s.hashsieve.index.current) {
        expect(st.statusCode).toBe(503);
        expect(st.body).toBe('INDEX-NOT-LOADED');
        expect(r.statusCode).toBe(503);
        expect(r.json()).toEqual({ message: 'index not yet ready', code: 'NOT_READY' });
        expect(r.headers['retry-after']).toBeDefined();
      }
      await s.hashsieve.index.idle();
      expect((await s.inject('/status')).statusCode).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('matching (HMA shapes, field by field)', () => {
  test('raw_lookup: ids; with include_distance {bank_content_id, distance as a string}', async () => {
    const plain = await get(`/m/raw_lookup?signal=${H1_NEAR}&signal_type=pdq`);
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.body)).toEqual(['matches']);
    expect(plain.body.matches).toHaveLength(1);
    expect(typeof plain.body.matches[0]).toBe('number');
    const withDist = await get(`/m/raw_lookup?signal=${H1_NEAR}&signal_type=pdq&include_distance=true`);
    expect(withDist.body.matches).toHaveLength(1);
    const m = withDist.body.matches[0];
    expect(Object.keys(m)).toEqual(['bank_content_id', 'distance']);
    expect(m.bank_content_id).toBe(plain.body.matches[0]);
    expect(m.distance).toBe('2');
    expect((await get(`/m/raw_lookup?signal=${H_FAR}&signal_type=pdq`)).body).toEqual({ matches: [] });
  });

  test('raw_lookup: banks= restricts; exact digests go through the same endpoint', async () => {
    expect((await get(`/m/raw_lookup?signal=${H1}&signal_type=pdq&banks=DIGESTS`)).body).toEqual({ matches: [] });
    expect((await get(`/m/raw_lookup?signal=${H1}&signal_type=pdq&banks=NCMEC_TEST`)).body.matches).toHaveLength(1);
    const md5 = await get(`/m/raw_lookup?signal=${MD5}&signal_type=md5&include_distance=true`);
    expect(md5.body.matches).toHaveLength(1);
    expect(md5.body.matches[0].distance).toBe('-');
  });

  test('lookup by signal: keyed by bank (a lowercase imported list shows upper-cased)', async () => {
    const r = await get(`/m/lookup?signal=${H1}&signal_type=pdq`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['NCMEC_TEST']);
    expect(Object.keys(r.body.NCMEC_TEST[0])).toEqual(['bank_content_id', 'distance']);
    expect(r.body.NCMEC_TEST[0].distance).toBe('0');
  });

  test('malformed hash, unknown signal type, missing parameters', async () => {
    const bad = await get('/m/raw_lookup?signal=xyz&signal_type=pdq');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['message']);
    expect(bad.body.message).toMatch(/^invalid signal: /);
    expect(await get(`/m/raw_lookup?signal=${H1}&signal_type=nope`)).toMatchObject({ status: 400, body: { message: "No such SignalType 'nope'" } });
    expect((await get('/m/raw_lookup?signal_type=pdq')).status).toBe(422);
    expect(await get('/m/lookup')).toMatchObject({ status: 400, body: { message: 'Either url or both signal and signal_type are required' } });
  });

  test('compare: [match, {distance}] per signal type; bad input is 400', async () => {
    const r = await send('POST', '/m/compare', { pdq: [H1, H1_NEAR] }, lookupToken);
    expect(r).toMatchObject({ status: 200, body: { pdq: [true, { distance: 2 }] } });
    expect((await send('POST', '/m/compare', { pdq: [H1, H_FAR] }, lookupToken)).body.pdq[0]).toBe(false);
    expect(await send('POST', '/m/compare', { pdq: [H1] }, lookupToken)).toMatchObject({ status: 400, body: { message: 'Comparison hash list length must be exactly 2' } });
    expect(await send('POST', '/m/compare', [1], lookupToken)).toMatchObject({ status: 400, body: { message: 'Request input was not a dict' } });
    expect((await send('POST', '/m/compare', { pdq: [H1, 'zz'] }, lookupToken)).status).toBe(400);
  });

  test('index/status: {present, built_to, size} per signal; one signal with signal_type=', async () => {
    const r = await get('/m/index/status');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.pdq)).toEqual(['present', 'built_to', 'size']);
    expect(r.body.pdq.present).toBe(true);
    expect(r.body.pdq.size).toBeGreaterThanOrEqual(1);
    expect(typeof r.body.pdq.built_to).toBe('number');
    expect(Object.keys((await get('/m/index/status?signal_type=md5')).body)).toEqual(['md5']);
    expect((await get('/m/index/status?signal_type=nope')).status).toBe(400);
  });

  test('lookup_batch: NDJSON in, one line out each, same order, bad lines as {message}', async () => {
    const lines = [{ signal_type: 'pdq', signal: H1 }, { signal_type: 'pdq', signal: 'bad' }, { signal_type: 'md5', signal: MD5 }, { signal_type: 'pdq', signal: H_FAR }];
    const r = await fetch(`${base}/m/lookup_batch`, {
      method: 'POST',
      headers: { ...auth(lookupToken), 'content-type': 'application/x-ndjson' },
      body: lines.map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n',
    });
    expect(r.status).toBe(200);
    const out = (await r.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(5);
    expect(Object.keys(out[0])).toEqual(['NCMEC_TEST']);
    expect(out[1].message).toMatch(/^invalid signal/);
    expect(Object.keys(out[2])).toEqual(['DIGESTS']);
    expect(out[3]).toEqual({});
    expect(out[4]).toEqual({ message: 'not a JSON object' });
  });
});

describe('hashing uploads (from memory, every fixture type)', () => {
  test.each(['a.png', 'a.q60.jpg', 'b.small.webp', 'c.grey.png', 'a.rot90.png'])('POST /h/hash %s: every photo signal, hex strings', async (name) => {
    const r = await send('POST', '/h/hash', upload(name), lookupToken);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['pdq', 'blockhash', 'md5', 'sha1', 'sha256']);
    expect(r.body.pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.md5).toMatch(/^[0-9a-f]{32}$/);
    remember(r.body);
  });

  test('types= narrows; an unknown one is 400; dihedral=true adds the 8 transforms', async () => {
    const r = await send('POST', '/h/hash?types=pdq,sha256', upload('a.png'), lookupToken);
    expect(Object.keys(r.body)).toEqual(['pdq', 'sha256']);
    remember(r.body);
    expect((await send('POST', '/h/hash?types=nope', upload('a.png'), lookupToken)).status).toBe(400);
    const d = await send('POST', '/h/hash?types=pdq&dihedral=true', upload('a.png'), lookupToken);
    expect(Object.keys(d.body.pdq_dihedral)).toHaveLength(8);
    remember(d.body);
  });

  test('hostile uploads: 4xx with a message, and the service keeps answering', async () => {
    const cases: [string | Buffer, number][] = [
      ['bad/empty.jpg', 400],
      ['bad/truncated.jpg', 422],
      ['bad/random-bytes.jpg', 422],
      ['bad/notes.txt', 422],
      ['bad/huge-header.png', 422],
    ];
    for (const [file, status] of cases) {
      const r = await send('POST', '/h/hash', upload(file), lookupToken);
      expect([file, r.status]).toEqual([file, status]);
      expect(typeof r.body.message).toBe('string');
    }
    expect((await send('POST', '/h/hash', upload('bad/huge-header.png'), lookupToken)).body.code).toBe('TOO_MANY_PIXELS');
    expect((await send('POST', '/h/hash', upload('a.png', 'video'), lookupToken)).status).toBe(422);
    expect((await send('POST', '/h/hash', upload('a.png', 'document'), lookupToken)).status).toBe(400);
    const two = upload('a.png');
    two.append('photo', new Blob([readFileSync(new URL('c.png', FIXTURES))]), 'b.png');
    expect(await send('POST', '/h/hash', two, lookupToken)).toMatchObject({ status: 400, body: { message: 'Only one file allowed per request' } });
    expect((await send('POST', '/h/hash', undefined, lookupToken)).status).toBe(400);
    expect((await fetch(`${base}/status/live`)).status).toBe(200);
  });

  test('a 60 MB upload is 413', async () => {
    const r = await send('POST', '/h/hash', upload(Buffer.alloc(60 * 1024 * 1024, 7)), lookupToken).catch((e) => ({ status: -1, body: String(e), headers: new Headers() }));
    expect(r.status).toBe(413);
    expect(r.body.message).toBe('Content too large');
    expect((await fetch(`${base}/status/live`)).status).toBe(200);
  });

  test('GET /h/hash?url= is off unless hosts are allowed', async () => {
    const r = await get('/h/hash?url=http%3A%2F%2F127.0.0.1%2Fx.png');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^Invalid or unsafe URL provided/);
  });

  test('POST /m/lookup with an upload: keyed by signal type, then bank', async () => {
    const r = await send('POST', '/m/lookup', upload('a.png'), lookupToken);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['pdq', 'blockhash', 'md5', 'sha1', 'sha256']);
    expect(r.body.pdq).toEqual({});
  });
});

describe('auth', () => {
  test('no token 401, unknown token 401, wrong scope 403, revoked 401', async () => {
    const none = await fetch(`${base}/m/raw_lookup?signal=${H1}&signal_type=pdq`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toEqual({ message: 'A bearer token is required' });
    expect((await get(`/m/raw_lookup?signal=${H1}&signal_type=pdq`, 'hsv_not-a-token')).status).toBe(401);
    expect((await get('/c/banks', curateToken)).status).toBe(403);
    expect((await send('POST', '/c/banks', { name: 'NOPE' }, lookupToken)).status).toBe(403);
    expect((await get('/metrics', 'hsv_x')).status).toBe(401);
    const t = createToken(db, 'short-lived', ['lookup']);
    expect((await get('/status', t)).status).toBe(200);
    revokeToken(db, 'short-lived');
    // A revocation takes effect within a second (live tokens are re-checked after that).
    await until(async () => (await get('/status', t)).status === 401, 3000);
  });

  test('tokens are stored as digests only', async () => {
    const store = lib.openStore(db, { readonly: true });
    try {
      const dump = JSON.stringify(store.db.prepare('SELECT * FROM service_tokens').all());
      expect(dump).not.toContain(lookupToken);
      expect(dump).toContain('reader');
    } finally {
      store.close();
    }
  });
});

describe('curation, then lookup (the swap)', () => {
  test('banks: create (201), show, list, rename, bad names, delete', async () => {
    expect(await send('POST', '/c/banks', { name: 'TEST_BANK' })).toMatchObject({ status: 201, body: { name: 'TEST_BANK', matching_enabled_ratio: 1 } });
    expect(await send('POST', '/c/banks', { name: 'TEST_BANK' })).toMatchObject({ status: 403, body: { message: 'Bank already exists' } });
    expect(await send('POST', '/c/banks', { name: 'lower' })).toMatchObject({ status: 400, body: { message: 'Bank names must be UPPER_WITH_UNDERSCORE' } });
    const show = await get('/c/bank/TEST_BANK');
    expect(show.body).toMatchObject({ name: 'TEST_BANK', matching_enabled_ratio: 1 });
    expect(show.body.list.name).toBe('TEST_BANK');
    expect((await get('/c/bank/NCMEC_TEST')).body.list.name).toBe('ncmec-test');
    // An imported list changes only by re-import: no signals, no deletes, no rename through the API.
    expect((await send('POST', '/c/bank/NCMEC_TEST/signal', { pdq: H_FAR })).status).toBe(403);
    expect((await send('DELETE', '/c/bank/NCMEC_TEST/content/1', undefined)).status).toBe(403);
    expect((await send('PUT', '/c/bank/NCMEC_TEST', { name: 'OTHER' })).status).toBe(403);
    expect((await get('/c/banks')).body.map((b: any) => Object.keys(b))).toContainEqual(['name', 'matching_enabled_ratio']);
    expect(await send('PUT', '/c/bank/TEST_BANK', { name: 'RENAMED', enabled_ratio: 0.5 })).toMatchObject({ status: 200, body: { name: 'RENAMED', matching_enabled_ratio: 0.5 } });
    expect((await get('/c/bank/TEST_BANK')).status).toBe(404);
    expect((await send('PUT', '/c/bank/MISSING', { enabled: true })).status).toBe(404);
    expect(await send('DELETE', '/c/bank/RENAMED', undefined)).toMatchObject({ status: 200, body: { message: 'Done' } });
    expect((await get('/c/bank/RENAMED')).status).toBe(404);
  });

  test('add a signal, look it up after the swap; content GET/DELETE; lookup no longer finds it', async () => {
    expect((await send('POST', '/c/banks', { name: 'CURATED' })).status).toBe(201);
    const add = await send('POST', '/c/bank/CURATED/signal', { pdq: H_FAR, note: 'test' });
    expect(add.status).toBe(200);
    expect(Object.keys(add.body)).toEqual(['id', 'signals']);
    expect(add.body.signals).toEqual({ pdq: H_FAR });
    const id = add.body.id;
    await until(async () => (await get(`/m/lookup?signal=${H_FAR}&signal_type=pdq`)).body.CURATED !== undefined);
    expect((await get(`/m/lookup?signal=${H_FAR}&signal_type=pdq`)).body).toEqual({ CURATED: [{ bank_content_id: id, distance: '0' }] });
    const c = await get(`/c/bank/CURATED/content/${id}?include_signals=true`, bothToken);
    expect(c.body).toEqual({
      id,
      disable_until_ts: 1,
      original_media_uri: null,
      bank: { name: 'CURATED', matching_enabled_ratio: 1 },
      signals: { pdq: H_FAR },
      note: 'test',
    });
    expect(await send('DELETE', `/c/bank/CURATED/content/${id}`, undefined)).toMatchObject({ status: 200, body: { deleted: 1 } });
    expect((await get(`/c/bank/CURATED/content/${id}`)).status).toBe(404);
    await until(async () => (await get(`/m/lookup?signal=${H_FAR}&signal_type=pdq`)).body.CURATED === undefined);
  });

  test('upload content to a bank: hashed, stored, the upload then matches by every signal', async () => {
    const add = await send('POST', '/c/bank/CURATED/content', upload('b.jpg'));
    expect(add.status).toBe(200);
    expect(Object.keys(add.body.signals).sort()).toEqual(['blockhash', 'md5', 'pdq', 'sha1', 'sha256']);
    remember(add.body.signals);
    await until(async () => (await send('POST', '/m/lookup', upload('b.jpg'), lookupToken)).body.pdq?.CURATED !== undefined);
    const r = await send('POST', '/m/lookup', upload('b.jpg'), lookupToken);
    for (const s of ['pdq', 'blockhash']) expect(r.body[s].CURATED).toEqual([{ bank_content_id: add.body.id, distance: '0' }]);
    for (const s of ['md5', 'sha1', 'sha256']) expect(r.body[s].CURATED).toEqual([{ bank_content_id: add.body.id, distance: '-' }]);
    const rotated = await send('POST', '/m/lookup?types=pdq&dihedral=true', upload('a.rot90.png'), lookupToken);
    expect(rotated.status).toBe(200);
  });

  test('concurrent lookups during index swaps: no errors, no half answers', async () => {
    expect((await send('POST', '/c/banks', { name: 'STABLE' })).status).toBe(201);
    expect((await send('POST', '/c/bank/STABLE/signal', { pdq: H1 })).status).toBe(200);
    await until(async () => (await get(`/m/lookup?signal=${H1}&signal_type=pdq`)).body.STABLE !== undefined);
    let stop = false;
    const answers: any[] = [];
    const readers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const r = await get(`/m/lookup?signal=${H1}&signal_type=pdq`);
        answers.push([r.status, Object.keys(r.body).sort()]);
      }
    });
    for (let i = 0; i < 4; i++) {
      // Each change re-indexes STABLE (its entries changed) while readers keep asking.
      const hex = (BigInt('0x' + H_FAR) ^ BigInt(i + 1)).toString(16).padStart(64, '0');
      expect((await send('POST', '/c/bank/STABLE/signal', { pdq: hex })).status).toBe(200);
      await app.hashsieve.index.idle();
    }
    stop = true;
    await Promise.all(readers);
    expect(answers.length).toBeGreaterThan(10);
    for (const a of answers) expect(a).toEqual([200, ['NCMEC_TEST', 'STABLE']]);
  });
});

describe('metrics and logs', () => {
  test('/metrics: per-route counts and latency, index size, pool queue depth', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/hashsieve_http_requests_total\{method="GET",route="\/m\/raw_lookup",status="200"\} \d+/);
    expect(r.body).toMatch(/hashsieve_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/m\/raw_lookup"\}/);
    expect(r.body).toMatch(/hashsieve_index_size\{signal="pdq"\} \d+/);
    expect(r.body).toMatch(/hashsieve_hash_pool_queue_depth 0/);
  });

  test('log lines carry method, route, status, latency and token name, and no hash of uploaded content', async () => {
    const requests = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.find((l) => l.route === '/h/hash')).toMatchObject({ method: 'POST', status: 200, token: 'reader' });
    expect(typeof requests[0].ms).toBe('number');
    expect(uploadHashes.size).toBeGreaterThan(20);
    const all = logs.lines.join('\n').toLowerCase();
    for (const h of uploadHashes) expect(all.includes(h.toLowerCase()), 'a log line holds an upload hash').toBe(false);
    expect(all).not.toContain('signal=');
  });
});
