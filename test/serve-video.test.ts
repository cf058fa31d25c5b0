import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, lib, tempDb } from './serve-helpers.js';
import { formatVpdqSignal } from '../src/signals/vpdq.js';
import { makeVideo, sourceGraph } from '../src/video/synthetic.js';
import { requireSystemProgram } from './system-deps.js';

const hasFfmpeg = requireSystemProgram('ffmpeg', 'ffmpeg') && requireSystemProgram('ffprobe', 'ffmpeg');
const H1 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

let app: any;
let dir: string;
let clip: string;

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

  test('vpdq lookups answer 501 (not an empty "no match")', async () => {
    const r = await post('/m/lookup', readFileSync(clip), 'video');
    expect(r.status).toBe(501);
    expect(r.body.code).toBe('NOT_IMPLEMENTED');
    const g = await app.inject(`/m/lookup?signal_type=vpdq&signal=${H1}`);
    expect(g.statusCode).toBe(501);
    const raw = await app.inject(`/m/raw_lookup?signal_type=vpdq&signal=${H1}`);
    expect(raw.statusCode).toBe(501);
  });

  test('adding vpdq to a bank answers 501, by signal or by content upload', async () => {
    expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'VIDS' } })).statusCode).toBe(201);
    const hashed = await post('/h/hash?types=vpdq', readFileSync(clip), 'video');
    const bySignal = await app.inject({ method: 'POST', url: '/c/bank/VIDS/signal', payload: { vpdq: hashed.body.vpdq } });
    expect(bySignal.statusCode).toBe(501);
    expect(bySignal.json().code).toBe('NOT_IMPLEMENTED');
    const byContent = await post('/c/bank/VIDS/content', readFileSync(clip), 'video');
    expect(byContent.status).toBe(501);
    const listed = await app.inject('/c/bank/VIDS');
    expect(listed.statusCode).toBe(200);
  });
});
