import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lib, tempDb } from './serve-helpers.js';

/** A synthetic 256-bit frame hash from a seed (no content: hand-built frame sets). */
function frame(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** The hash with its first `bits` bits flipped. */
function flip(hex: string, bits: number): string {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[i >> 3] ^= 0x80 >> (i & 7);
  return b.toString('hex');
}

/** HMA's vpdq signal string: a JSON array of "hash,quality,timestamp". */
function signal(frames: readonly (string | [string, number])[]): string {
  return JSON.stringify(frames.map((f, i) => (typeof f === 'string' ? `${f},100,${i}.000` : `${f[0]},${f[1]},${i}.000`)));
}

const A = Array.from({ length: 10 }, (_, i) => frame(`a${i}`));
const U = Array.from({ length: 10 }, (_, i) => frame(`unrelated${i}`));
/** 8 of 10 frames near A's (5 bits off) and 2 unrelated: 80 % each way, a match. */
const Q80 = signal([...A.slice(0, 8).map((h) => flip(h, 5)), U[0], U[1]]);
/** 7 of 10: 70 %, no match. */
const Q70 = signal([...A.slice(0, 7), U[0], U[1], U[2]]);
const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

describe('POST /m/compare with vpdq signal strings (python-threatexchange compare_hash)', () => {
  const { db } = tempDb();
  let app: any;
  beforeAll(async () => {
    app = await lib.createServer({ dbPath: db, workers: 1, auth: false });
    await app.hashsieve.index.idle();
  });
  afterAll(async () => app?.close());
  const compare = async (body: unknown): Promise<{ status: number; body: any }> => {
    const r = await app.inject({ method: 'POST', url: '/m/compare', payload: body });
    return { status: r.statusCode, body: r.json() };
  };

  test('[matched, {query_match_percent, compared_match_percent}], the first string the query', async () => {
    expect(await compare({ vpdq: [Q80, signal(A)] })).toEqual({ status: 200, body: { vpdq: [true, { query_match_percent: 80, compared_match_percent: 80 }] } });
    expect((await compare({ vpdq: [Q70, signal(A)] })).body).toEqual({ vpdq: [false, { query_match_percent: 70, compared_match_percent: 70 }] });
    // 2 of 3 query frames, 2 of 10 compared frames: Python's count * 100 / len, unrounded.
    const few = signal([A[0], A[1], U[0]]);
    expect((await compare({ vpdq: [few, signal(A)] })).body).toEqual({ vpdq: [false, { query_match_percent: (2 * 100) / 3, compared_match_percent: 20 }] });
    // Swapped: the compared share needs only >= 0, the query share >= 80.
    expect((await compare({ vpdq: [signal(A), few] })).body).toEqual({ vpdq: [false, { query_match_percent: 20, compared_match_percent: (2 * 100) / 3 }] });
    expect((await compare({ vpdq: [signal(A.slice(0, 2)), signal(A)] })).body).toEqual({ vpdq: [true, { query_match_percent: 100, compared_match_percent: 20 }] });
    // With pdq in the same request, each answered in its own shape.
    expect((await compare({ pdq: [PDQ, PDQ], vpdq: [signal(A), signal(A)] })).body).toEqual({
      pdq: [true, { distance: 0 }],
      vpdq: [true, { query_match_percent: 100, compared_match_percent: 100 }],
    });
  });

  test('repeated frame hashes count once (first kept) and frames under quality 50 are dropped, as pytx', async () => {
    // A[0] three times, an unrelated frame at quality 10, A[1]: the query is {A0, A1}, 100 %.
    const q = signal([A[0], A[0], [U[0], 10], A[0], A[1]]);
    expect((await compare({ vpdq: [q, signal(A)] })).body.vpdq).toEqual([true, { query_match_percent: 100, compared_match_percent: 20 }]);
    // The first occurrence decides: U[1] first at quality 10 then at 100 is dropped as a whole.
    const q2 = signal([[U[1], 10], U[1], A[0]]);
    expect((await compare({ vpdq: [q2, signal(A)] })).body.vpdq).toEqual([true, { query_match_percent: 100, compared_match_percent: 10 }]);
  });

  test('malformed or unusable vpdq strings are 400 {message}', async () => {
    for (const bad of ['nope', '{"a": 1}', `["${A[0]},100"]`, `["${A[0].slice(1)},100,0.0"]`, `["${A[0]},101,0.0"]`, '[1]']) {
      const r = await compare({ vpdq: [bad, signal(A)] });
      expect(r.status, bad).toBe(400);
      expect(r.body.message, bad).toMatch(/^Invalid vpdq hash: the first /);
    }
    expect((await compare({ vpdq: [signal(A), 'nope'] })).body.message).toMatch(/^Invalid vpdq hash: the second /);
    // No usable frame (empty, or all under quality 50): HMA divides by zero there, also a 400.
    for (const empty of ['[]', signal([[A[0], 49]])]) {
      const r = await compare({ vpdq: [empty, signal(A)] });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/no frame of quality 50 or more/);
    }
    expect((await compare({ vpdq: [signal(A), 7] })).status).toBe(400);
    expect((await compare({ vpdq: [signal(A)] })).status).toBe(400);
  });
});

describe('POST /m/lookup_batch with vpdq lines', () => {
  const { db } = tempDb();
  let single: any;
  let threaded: any;
  let videoId: number;
  beforeAll(async () => {
    single = await lib.createServer({ dbPath: db, workers: 1, auth: false });
    await single.hashsieve.index.idle();
    expect((await single.inject({ method: 'POST', url: '/c/banks', payload: { name: 'VIDS' } })).statusCode).toBe(201);
    const added = await single.inject({ method: 'POST', url: '/c/bank/VIDS/signal', payload: { vpdq: signal(A) } });
    videoId = added.json().id;
    expect((await single.inject({ method: 'POST', url: '/c/banks', payload: { name: 'PHOTOS' } })).statusCode).toBe(201);
    expect((await single.inject({ method: 'POST', url: '/c/bank/PHOTOS/signal', payload: { pdq: PDQ } })).statusCode).toBe(200);
    await single.hashsieve.index.idle();
    threaded = await lib.createServer({ dbPath: db, workers: 1, auth: false, batchThreads: 2 });
    await threaded.hashsieve.index.idle();
  });
  afterAll(async () => {
    await single?.close();
    await threaded?.close();
  });

  const batch = async (app: any, body: string, q = '?bypass_coinflip=true'): Promise<any[]> => {
    const r = await app.inject({ method: 'POST', url: `/m/lookup_batch${q}`, headers: { 'content-type': 'application/x-ndjson' }, payload: body });
    expect(r.statusCode).toBe(200);
    expect(r.body.endsWith('\n')).toBe(true);
    return r.body.slice(0, -1).split('\n').map((l: string) => JSON.parse(l));
  };
  const line = (signal_type: string, s: string): string => JSON.stringify({ signal_type, signal: s });
  const single1 = async (s: string): Promise<unknown> => (await single.inject(`/m/lookup?bypass_coinflip=true&signal_type=vpdq&signal=${encodeURIComponent(s)}`)).json();

  test('a vpdq line answers what /m/lookup answers for that signal; one line out per line in, bad lines as {message}', async () => {
    const out = await batch(single, [line('vpdq', Q80), line('pdq', PDQ), line('vpdq', Q70), line('vpdq', 'nope'), line('vpdq', '[]'), line('vpdq', Q80)].join('\n') + '\n');
    expect(out).toHaveLength(6);
    expect(out[0]).toEqual({ VIDS: [{ bank_content_id: videoId, distance: '80%[80%]' }] });
    expect(out[0]).toEqual(await single1(Q80));
    expect(out[1]).toEqual({ PHOTOS: [{ bank_content_id: expect.any(Number), distance: '0' }] });
    expect(out[2]).toEqual({});
    expect(out[2]).toEqual(await single1(Q70));
    expect(out[3]).toEqual({ message: expect.stringMatching(/^Invalid vpdq signal/) });
    expect(out[4]).toEqual({});
    expect(out[5]).toEqual(out[0]);
    // banks= limits a vpdq line as it limits a pdq line.
    expect(await batch(single, `${line('vpdq', Q80)}\n`, '?bypass_coinflip=true&banks=PHOTOS')).toEqual([{}]);
  });

  test('blank lines are answered {"message": "empty line"} in place (never skipped); CRLF line ends are taken', async () => {
    const out = await batch(single, [line('pdq', PDQ), '', '   ', line('vpdq', Q80)].join('\r\n') + '\r\n');
    expect(out).toHaveLength(4);
    expect(Object.keys(out[0])).toEqual(['PHOTOS']);
    expect(out[1]).toEqual({ message: 'empty line' });
    expect(out[2]).toEqual({ message: 'empty line' });
    expect(Object.keys(out[3])).toEqual(['VIDS']);
    // Only the one final line end closes the last line; a blank line after it is a line.
    expect(await batch(single, `${line('pdq', PDQ)}\n\n`)).toEqual([out[0], { message: 'empty line' }]);
  });

  test('with query threads: vpdq lines answered on the main thread, in place, the same as without threads', async () => {
    const kinds = [line('vpdq', Q80), line('pdq', PDQ), line('vpdq', Q70), 'garbage', line('vpdq', 'nope'), '', line('pdq', flip(PDQ, 3))];
    const body = Array.from({ length: 140 }, (_, i) => kinds[i % kinds.length]).join('\n');
    const before = threaded.hashsieve.batchPool.answered;
    const expected = await batch(single, body);
    const got = await batch(threaded, body);
    expect(got).toEqual(expected);
    expect(threaded.hashsieve.batchPool.answered).toBe(before + 1);
    expect(got[0]).toEqual({ VIDS: [{ bank_content_id: videoId, distance: '80%[80%]' }] });
    expect(got[7]).toEqual(got[0]);
    expect(got[5]).toEqual({ message: 'empty line' });
  });
});

describe('vpdq compare and lookup_batch over real HTTP (loopback)', () => {
  const { db } = tempDb();
  let app: any;
  let base: string;
  beforeAll(async () => {
    app = await lib.createServer({ dbPath: db, workers: 1, auth: false });
    await app.hashsieve.index.idle();
    await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'VIDS' } });
    await app.inject({ method: 'POST', url: '/c/bank/VIDS/signal', payload: { vpdq: signal(A) } });
    await app.hashsieve.index.idle();
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => app?.close());

  test('compare and a batch with a vpdq line', async () => {
    const c = await fetch(`${base}/m/compare`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vpdq: [Q80, signal(A)] }) });
    expect(c.status).toBe(200);
    expect(await c.json()).toEqual({ vpdq: [true, { query_match_percent: 80, compared_match_percent: 80 }] });
    const bad = await fetch(`${base}/m/compare`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vpdq: ['x', 'y'] }) });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()) as object)).toContain('message');
    const b = await fetch(`${base}/m/lookup_batch?bypass_coinflip=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ signal_type: 'vpdq', signal: Q80 })}\n${JSON.stringify({ signal_type: 'vpdq', signal: Q70 })}\n`,
    });
    expect(b.status).toBe(200);
    const lines = (await b.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ VIDS: [{ bank_content_id: expect.any(Number), distance: '80%[80%]' }] }, {}]);
  });
});
