import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, importHashes, lib, tempDb } from './serve-helpers.js';
import { requireSystemProgram } from './system-deps.js';

const H1 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

function multipart(file: string, field = 'photo'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----hashsieve-test';
  const bytes = readFileSync(new URL(file, FIXTURES));
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="x"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('fine-grained (inject)', () => {
  const { db } = tempDb();
  let app: any;
  beforeAll(async () => {
    await importHashes(db, 'L', 'pdq', [H1]);
    app = await lib.createServer({ dbPath: db, workers: 1, auth: false, maxHashInFlight: 1 });
    await app.hashsieve.index.idle();
  });
  afterAll(async () => app?.close());

  test('too many hashing requests in flight: 503 with Retry-After, the rest still hashed', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => app.inject({ method: 'POST', url: '/h/hash', ...multipart('a.png') })));
    const codes = results.map((r: any) => r.statusCode);
    expect(codes).toContain(200);
    expect(codes).toContain(503);
    const busy = results.find((r: any) => r.statusCode === 503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.json().code).toBe('BUSY');
    expect(app.hashsieve.hashing.queueDepth).toBe(0);
  });

  test('the pixel limit applies to uploads (422 TOO_MANY_PIXELS)', async () => {
    const small = await lib.createServer({ dbPath: db, workers: 1, auth: false, maxPixels: 1000 });
    try {
      const r = await small.inject({ method: 'POST', url: '/h/hash', ...multipart('a.png') });
      expect(r.statusCode).toBe(422);
      expect(r.json().code).toBe('TOO_MANY_PIXELS');
    } finally {
      await small.close();
    }
  });

  test('a repeated query parameter is not a 500', async () => {
    const r = await app.inject(`/m/raw_lookup?signal=${H1}&signal_type=pdq&banks=X&banks=L`);
    expect(r.statusCode).toBe(200);
    expect(r.json().matches).toHaveLength(1);
  });

  test('dihedral=true with a bare hash is 400; unknown routes are 404 {message}', async () => {
    expect((await app.inject(`/m/lookup?signal=${H1}&signal_type=pdq&dihedral=true`)).statusCode).toBe(400);
    expect((await app.inject('/nope')).json()).toEqual({ message: 'Not Found' });
  });

  test('content_type=video with an image in it answers a clear 422 (test/serve-video.test.ts hashes real videos)', async () => {
    const r = await app.inject({ method: 'POST', url: '/h/hash', ...multipart('a.png', 'video') });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.stringMatching(/not a video/) });
  });
});

describe('lists and metadata', () => {
  test('lists: only the named lists are served (by list or bank name), banks created later too', async () => {
    const { db } = tempDb();
    await importHashes(db, 'first', 'pdq', [H1]);
    await importHashes(db, 'SECOND', 'pdq', [H1]);
    await importHashes(db, 'third', 'pdq', [H1]);
    const app = await lib.createServer({ dbPath: db, workers: 1, auth: false, lists: ['first', 'SECOND'] });
    try {
      await app.hashsieve.index.idle();
      expect(Object.keys((await app.inject(`/m/lookup?signal=${H1}&signal_type=pdq`)).json())).toEqual(['FIRST', 'SECOND']);
      expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'NEW' } })).statusCode).toBe(201);
      expect((await app.inject({ method: 'POST', url: '/c/bank/NEW/signal', payload: { pdq: H1 } })).statusCode).toBe(200);
      await app.hashsieve.index.idle();
      expect(Object.keys((await app.inject(`/m/lookup?signal=${H1}&signal_type=pdq`)).json())).toEqual(['FIRST', 'SECOND', 'NEW']);
    } finally {
      await app.close();
    }
  });

  test('a list imported by another process while serving is picked up by the periodic check', async () => {
    const { db } = tempDb();
    await importHashes(db, 'first', 'pdq', [H1]);
    const app = await lib.createServer({ dbPath: db, workers: 1, auth: false, refreshIntervalMs: 100 });
    try {
      await app.hashsieve.index.idle();
      await importHashes(db, 'later', 'pdq', [H1]);
      const deadline = Date.now() + 20_000;
      let banks: string[] = [];
      while (Date.now() < deadline) {
        banks = Object.keys((await app.inject(`/m/lookup?signal=${H1}&signal_type=pdq`)).json());
        if (banks.length === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(banks).toEqual(['FIRST', 'LATER']);
    } finally {
      await app.close();
    }
  });

  test('content metadata and note from the upload form are stored and shown; unknown metadata keys are 400', async () => {
    const { db } = tempDb();
    const app = await lib.createServer({ dbPath: db, workers: 1, auth: false });
    try {
      await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'B' } });
      const form = (meta: string): { payload: Buffer; headers: Record<string, string> } => {
        const m = multipart('a.png');
        const boundary = '----hashsieve-test';
        const fields = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${meta}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nfrom a test\r\n`,
        );
        return { payload: Buffer.concat([fields, m.payload]), headers: m.headers };
      };
      const add = await app.inject({ method: 'POST', url: '/c/bank/B/content?types=pdq', ...form('{"content_id": "case-1", "json": {"k": 1}}') });
      expect(add.statusCode).toBe(200);
      const got = (await app.inject(`/c/bank/B/content/${add.json().id}`)).json();
      expect(got.metadata).toEqual({ content_id: 'case-1', json: { k: 1 } });
      expect(got.note).toBe('from a test');
      expect(got.signals).toBeUndefined();
      const bad = await app.inject({ method: 'POST', url: '/c/bank/B/content?types=pdq', ...form('{"nope": 1}') });
      expect(bad.statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});

describe('lookup_batch on query threads', () => {
  test('the same answers as the main thread, in order, before and after a swap', async () => {
    const { db } = tempDb();
    const H2 = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d';
    const H3 = 'c186f9619659658c4b6916daf934496985f4259c72c39676ab9edb631c3c349c';
    await importHashes(db, 'imported', 'pdq', [H1, H2]);
    await importHashes(db, 'DIGESTS', 'md5', ['d41d8cd98f00b204e9800998ecf8427e']);
    const threaded = await lib.createServer({ dbPath: db, workers: 1, auth: false, batchThreads: 2 });
    const single = await lib.createServer({ dbPath: db, workers: 1, auth: false, refreshIntervalMs: 50 });
    const near = H1.slice(0, -1) + (H1.endsWith('2') ? '3' : '2');
    const lines = Array.from({ length: 200 }, (_, i) =>
      [
        JSON.stringify({ signal_type: 'pdq', signal: H1 }),
        JSON.stringify({ signal_type: 'pdq', signal: near }),
        JSON.stringify({ signal_type: 'pdq', signal: H3 }),
        JSON.stringify({ signal_type: 'md5', signal: 'd41d8cd98f00b204e9800998ecf8427e' }),
        JSON.stringify({ signal_type: 'nope', signal: H1 }),
        'garbage',
        JSON.stringify({ signal_type: 'pdq', signal: 'abc' }),
      ][i % 7],
    );
    const batch = async (app: any): Promise<string> =>
      (await app.inject({ method: 'POST', url: '/m/lookup_batch', headers: { 'content-type': 'application/x-ndjson' }, payload: lines.join('\n') })).body;
    try {
      await threaded.hashsieve.index.idle();
      await single.hashsieve.index.idle();
      const expected = await batch(single);
      expect(expected.split('\n')[0]).toContain('IMPORTED');
      expect(await batch(threaded)).toBe(expected);
      // A swap: a new bank holding H3; the threads get the new index and answer with it.
      await threaded.inject({ method: 'POST', url: '/c/banks', payload: { name: 'NEW' } });
      await threaded.inject({ method: 'POST', url: '/c/bank/NEW/signal', payload: { pdq: H3 } });
      await threaded.hashsieve.index.idle();
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(await batch(single)).includes('NEW')) await new Promise((r) => setTimeout(r, 50));
      const after = await batch(single);
      expect(after.split('\n')[2]).toContain('NEW');
      expect(await batch(threaded)).toBe(after);
      // Answered by the threads, not by the main thread's fallback.
      expect(threaded.hashsieve.batchPool.usable).toBe(true);
      expect(threaded.hashsieve.batchPool.answered).toBe(2);
    } finally {
      await threaded.close();
      await single.close();
    }
  });
});

describe('url= fetching', () => {
  const { db } = tempDb();
  let app: any;
  let origin: Server;
  let port = 0;
  beforeAll(async () => {
    await importHashes(db, 'L', 'pdq', [H1]);
    origin = createHttpServer((req, res) => {
      if (req.url === '/a.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(readFileSync(new URL('a.png', FIXTURES)));
      } else if (req.url === '/away') {
        res.writeHead(302, { location: 'http://localhost:1/a.png' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    port = (origin.address() as { port: number }).port;
    app = await lib.createServer({ dbPath: db, workers: 1, auth: false, allowFetchHosts: ['127.0.0.1'] });
    await app.hashsieve.index.idle();
  });
  afterAll(async () => {
    await app?.close();
    origin?.close();
  });

  test('an allowed host is fetched and hashed; content type from the response', async () => {
    const r = await app.inject(`/h/hash?url=${encodeURIComponent(`http://127.0.0.1:${port}/a.png`)}&types=pdq`);
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json())).toEqual(['pdq']);
    const l = await app.inject(`/m/lookup?url=${encodeURIComponent(`http://127.0.0.1:${port}/a.png`)}&types=pdq`);
    expect(l.json()).toEqual({ pdq: {} });
  });

  test('other hosts, redirects to other hosts and failures are 400', async () => {
    expect((await app.inject(`/h/hash?url=${encodeURIComponent(`http://localhost:${port}/a.png`)}`)).statusCode).toBe(400);
    expect((await app.inject(`/h/hash?url=${encodeURIComponent(`http://127.0.0.1:${port}/away`)}`)).statusCode).toBe(400);
    expect((await app.inject(`/h/hash?url=${encodeURIComponent(`http://127.0.0.1:${port}/missing`)}`)).statusCode).toBe(400);
  });
});

describe('TLS', () => {
  test('--tls-cert/--tls-key: serves HTTPS', async () => {
    if (!requireSystemProgram('openssl', 'openssl')) return;
    const { dir, db } = tempDb();
    await importHashes(db, 'L', 'pdq', [H1]);
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const app = await lib.createServer({ dbPath: db, workers: 1, auth: false, https: { key: readFileSync(key), cert: readFileSync(cert) } });
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      expect(url).toMatch(/^https:/);
      const { request } = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        request(`${url}/status/live`, { rejectUnauthorized: false }, (res) => {
          let s = '';
          res.on('data', (d) => (s += d));
          res.on('end', () => resolve(s));
        }).on('error', reject).end();
      });
      expect(body).toBe('I-AM-ALIVE');
    } finally {
      await app.close();
    }
  });
});
