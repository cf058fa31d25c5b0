import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, lib, tempDb } from './serve-helpers.js';
import { formatVpdqSignal } from '../src/signals/vpdq.js';
import { percentText } from '../src/service/video-lookup.js';
import { makeVideo, sourceGraph, transformVideo } from '../src/video/synthetic.js';
import { requireSystemProgram } from './system-deps.js';

const hasFfmpeg = requireSystemProgram('ffmpeg', 'ffmpeg') && requireSystemProgram('ffprobe', 'ffmpeg');

let app: any;
let dir: string;
let clip: string;
let other: string;

function upload(bytes: Buffer, field: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----hashsievevideo';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, bytes, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function post(url: string, bytes: Buffer, field: string): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method: 'POST', url, ...upload(bytes, field) });
  return { status: r.statusCode, body: r.json() };
}

describe.runIf(hasFfmpeg)('serve: content_type video (vpdq)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hashsieve-serve-video-'));
    clip = makeVideo(join(dir, 'clip.mp4'), sourceGraph('testsrc2', '160x120', '10', 3));
    other = makeVideo(join(dir, 'other.mp4'), sourceGraph('mandelbrot', '160x120', '10', 3));
    const { db } = tempDb();
    const store = lib.openStore(db);
    store.close();
    app = await lib.createServer({ dbPath: db, workers: 1, auth: false });
    await app.hashsieve.index.idle();
  });

  afterAll(async () => {
    await app?.close();
  });

  test('POST /h/hash with a video: the vpdq signal string equals formatVpdqSignal of the same file', async () => {
    const bytes = readFileSync(clip);
    const r = await post('/h/hash', bytes, 'video');
    expect(r.status).toBe(200);
    const direct = await lib.hashFile(clip, { signals: ['vpdq'] });
    expect(direct.video.frames.length).toBeGreaterThan(0);
    expect(r.body.vpdq).toBe(formatVpdqSignal(direct.video.frames, direct.video.frameRate));
    expect(JSON.parse(r.body.vpdq)).toHaveLength(direct.video.frames.length);
    // Exact digests of the bytes come along, as for a photo.
    expect(Object.keys(r.body).sort()).toEqual(['md5', 'sha1', 'sha256', 'vpdq']);
    const only = await post('/h/hash?types=vpdq', bytes, 'video');
    expect(Object.keys(only.body)).toEqual(['vpdq']);
  });

  test('a video sent as a photo, and a photo sent as a video, are clear 4xx answers', async () => {
    const asPhoto = await post('/h/hash', readFileSync(clip), 'photo');
    expect(asPhoto.status).toBe(422);
    expect(asPhoto.body.message).toMatch(/video/);
    const asVideo = await post('/h/hash', readFileSync(new URL('a.png', FIXTURES)), 'video');
    expect(asVideo.status).toBe(422);
    expect(asVideo.body.code).toBe('UNSUPPORTED_FORMAT');
    expect((await post('/h/hash?types=pdq', readFileSync(clip), 'video')).status).toBe(400);
  });

  test('a bank holding a video (by signal string) matches a re-encoded copy, not an unrelated video; HMA shapes', async () => {
    expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'VIDS' } })).statusCode).toBe(201);
    const hashed = await post('/h/hash?types=vpdq', readFileSync(clip), 'video');
    const added = await app.inject({ method: 'POST', url: '/c/bank/VIDS/signal', payload: { vpdq: hashed.body.vpdq } });
    expect(added.statusCode).toBe(200);
    const id = added.json().id;
    expect(added.json().signals).toEqual({ vpdq: hashed.body.vpdq });
    await app.hashsieve.index.idle();
    const copy = transformVideo(clip, dir, 'reencode');
    const hit = await post('/m/lookup?bypass_coinflip=true', readFileSync(copy), 'video');
    expect(hit.status).toBe(200);
    expect(hit.body.vpdq).toEqual({ VIDS: [{ bank_content_id: id, distance: expect.stringMatching(/^\d+%\[\d+%\]$/) }] });
    const [q, c] = /^(\d+)%\[(\d+)%\]$/.exec(hit.body.vpdq.VIDS[0].distance)!.slice(1).map(Number);
    expect(q).toBeGreaterThanOrEqual(80);
    expect(c).toBeGreaterThan(0);
    const miss = await post('/m/lookup?bypass_coinflip=true', readFileSync(other), 'video');
    expect(miss.status).toBe(200);
    expect(miss.body.vpdq).toEqual({});
    // By signal string: GET /m/lookup and /m/raw_lookup (with and without distances).
    const copyHash = (await post('/h/hash?types=vpdq', readFileSync(copy), 'video')).body.vpdq;
    const g = await app.inject(`/m/lookup?bypass_coinflip=true&signal_type=vpdq&signal=${encodeURIComponent(copyHash)}`);
    expect(g.json()).toEqual(hit.body.vpdq);
    const raw = await app.inject(`/m/raw_lookup?signal_type=vpdq&signal=${encodeURIComponent(copyHash)}`);
    expect(raw.json()).toEqual({ matches: [id] });
    const rawD = await app.inject(`/m/raw_lookup?signal_type=vpdq&include_distance=true&signal=${encodeURIComponent(copyHash)}`);
    expect(rawD.json()).toEqual({ matches: hit.body.vpdq.VIDS });
    const otherHash = (await post('/h/hash?types=vpdq', readFileSync(other), 'video')).body.vpdq;
    expect((await app.inject(`/m/raw_lookup?signal_type=vpdq&signal=${encodeURIComponent(otherHash)}`)).json()).toEqual({ matches: [] });
    expect((await app.inject(`/m/raw_lookup?signal_type=vpdq&signal=nope`)).statusCode).toBe(400);
    // lookup_batch: a vpdq line answers as /m/lookup does for the same signal string.
    const lines = [copyHash, otherHash].map((s) => JSON.stringify({ signal_type: 'vpdq', signal: s })).join('\n');
    const batch = await app.inject({ method: 'POST', url: '/m/lookup_batch?bypass_coinflip=true', headers: { 'content-type': 'application/x-ndjson' }, payload: `${lines}\n` });
    expect(batch.statusCode).toBe(200);
    expect(batch.body.trim().split('\n').map((l: string) => JSON.parse(l))).toEqual([g.json(), {}]);
    // /m/compare: the re-encoded copy against the bank's signal string, as pytx's compare_hash.
    const cmp = (await app.inject({ method: 'POST', url: '/m/compare', payload: { vpdq: [copyHash, hashed.body.vpdq] } })).json();
    expect(cmp.vpdq[0]).toBe(true);
    expect(percentText(cmp.vpdq[1].query_match_percent)).toBe(`${q}%`);
    expect(percentText(cmp.vpdq[1].compared_match_percent)).toBe(`${c}%`);
    expect((await app.inject({ method: 'POST', url: '/m/compare', payload: { vpdq: [otherHash, hashed.body.vpdq] } })).json().vpdq[0]).toBe(false);
  });

  test('a video content upload to a bank stores its frames as one content', async () => {
    expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'UPLOADED' } })).statusCode).toBe(201);
    const added = await post('/c/bank/UPLOADED/content?types=vpdq', readFileSync(clip), 'video');
    expect(added.status).toBe(200);
    await app.hashsieve.index.idle();
    const hit = await post('/m/lookup?bypass_coinflip=true&banks=UPLOADED', readFileSync(clip), 'video');
    expect(hit.body.vpdq).toEqual({ UPLOADED: [{ bank_content_id: added.body.id, distance: '100%[100%]' }] });
    // The content gives back every stored frame (as frame hashes), and deleting it removes the video.
    const content = (await app.inject(`/c/bank/UPLOADED/content/${added.body.id}?include_signals=true`)).json();
    const stored: string[] = JSON.parse(content.signals.vpdq);
    const sent = new Set<string>(JSON.parse(added.body.signals.vpdq).filter((f: string) => Number(f.split(',')[1]) >= 50).map((f: string) => f.split(',')[0]));
    expect(new Set(stored)).toEqual(sent);
    expect((await app.inject({ method: 'DELETE', url: `/c/bank/UPLOADED/content/${added.body.id}` })).json()).toEqual({ deleted: 1 });
    await app.hashsieve.index.idle();
    expect((await post('/m/lookup?bypass_coinflip=true&banks=UPLOADED', readFileSync(clip), 'video')).body.vpdq).toEqual({});
  });
});
