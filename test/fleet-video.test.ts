/**
 * A fleet scan of videos and known-good files on the BUILT binary gives the records, summary and
 * exit code of a local scan: the video options travel in each batch, the workers use their own
 * ffmpeg, and the coordinator applies the known-good lists the workers never see.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSource } from '../src/synthetic/images.js';
import { makeVideo, sourceGraph, transformVideo } from '../src/video/synthetic.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { hashesOf, makeList, parseNdjson, runCli, startCli } from './scan-helpers.js';
import { requireSystemProgram } from './system-deps.js';

interface Rec {
  path: string;
  status: string;
  hashes: Record<string, unknown>;
  matches: { entry?: string }[];
  error?: { code: string; message: string };
  [k: string]: unknown;
}

const ok = requireSystemProgram('redis-server', 'redis-server') && requireSystemProgram('ffmpeg', 'ffmpeg');

const children = new Set<ChildProcess>();
let dir: string;
let tree: string;
let db: string;
let redis: TestRedis;
/** Non-default sampling: a worker that ignored the coordinator's would hash other frames. */
const SAMPLING = ['--seconds-per-hash', '0.5'];
const ALGO = ['--algo', 'pdq,sha256,vpdq'];

const canonical = (records: readonly Rec[]): string[] => records.map((r) => JSON.stringify(r)).sort();
const byName = (records: readonly Rec[]): Record<string, Rec> => Object.fromEntries(records.map((r) => [r.path.slice(tree.length + 1), r]));
/** The summary without its timings. */
const counts = (path: string): unknown => {
  const { elapsedSeconds: _e, filesPerSecond: _f, ...rest } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return rest;
};

function startWorker(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const w = startCli(['worker', '--queue', redis.socket, '--workers', '1', ...args], { env });
  children.add(w.child);
  w.child.once('close', () => children.delete(w.child));
  return w;
}

async function stopWorker(w: ReturnType<typeof startWorker>): Promise<string> {
  w.child.kill('SIGTERM');
  const r = await w.done;
  expect(r.code).toBe(0);
  return r.stderr;
}

beforeAll(async () => {
  if (!ok) return;
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-fleet-video-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  mkdirSync(join(tree, 'system'), { recursive: true });
  const known = await generateSource(21, 128, 96);
  writeFileSync(join(tree, 'known.png'), known);
  writeFileSync(join(tree, 'other.jpg'), await sharp(await generateSource(22, 128, 96)).jpeg().toBuffer());
  // The listed video stays outside the tree; a re-encoded copy (named as no video) is in it.
  const src = makeVideo(join(dir, 'listed.mp4'), sourceGraph('testsrc2', '160x120', '10', 4, 3));
  writeFileSync(join(tree, 'copy.dat'), readFileSync(transformVideo(src, dir, 'reencode')));
  makeVideo(join(tree, 'unrelated.mkv'), sourceGraph('life', '160x120', '10', 3, 5));
  // Known-good: an image, bytes no decoder accepts, and a video.
  writeFileSync(join(tree, 'system', 'wallpaper.png'), await sharp(await generateSource(23, 96, 64)).png().toBuffer());
  writeFileSync(join(tree, 'system', 'setup.png'), 'MZ not an image, an installer stub\n');
  makeVideo(join(tree, 'system', 'intro.mp4'), sourceGraph('testsrc2', '160x120', '10', 3, 9));

  await makeList(db, 'images', [{ signal: 'pdq', hash: (await hashesOf(join(tree, 'known.png'), ['pdq'])).pdq, id: 'I-1', category: 'A1' }]);
  const ref = join(dir, 'V-1.txt');
  writeFileSync(ref, runCli(['hash', src, '--format', 'vpdq', ...SAMPLING]).stdout);
  expect(runCli(['list', 'import', '--db', db, '--name', 'videos', '--format', 'vpdq', ref]).code).toBe(0);
  const goods = join(dir, 'good.sha256');
  const good = await Promise.all(['wallpaper.png', 'setup.png', 'intro.mp4'].map(async (f) => `${(await hashesOf(join(tree, 'system', f), ['sha256'])).sha256}  ${f}`));
  writeFileSync(goods, `${good.join('\n')}\n`);
  const imported = runCli(['list', 'import', '--db', db, '--name', 'good', '--kind', 'known-good', '--format', 'sums', goods]);
  expect(imported.code, imported.stderr).toBe(0);
  redis = await startRedis();
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await redis?.stop();
  if (redis) rmSync(redis.dir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ok)('fleet scan of videos and known-good files', () => {
  test('the same records, summary and exit code as a local scan; workers use their own ffmpeg, not the coordinator\'s path', async () => {
    const local = runCli(['scan', '--db', db, '--workers', '1', ...ALGO, ...SAMPLING, '--summary', join(dir, 'local.json'), tree]);
    const localRecs = parseNdjson<Rec>(local.stdout);
    const l = byName(localRecs);
    // What the comparison rests on: the copy matches the listed video on its 0.5 s frames; known-good files are not decoded.
    expect(l['copy.dat'].status).toBe('match');
    expect(l['copy.dat'].matches.map((m) => m.entry)).toEqual(['V-1']);
    expect(l['copy.dat'].hashes.vpdq).toHaveLength(8);
    expect(l['unrelated.mkv'].status).toBe('clean');
    for (const f of ['wallpaper.png', 'setup.png', 'intro.mp4']) {
      expect(l[`system/${f}`].status, f).toBe('known_good');
      expect(Object.keys(l[`system/${f}`].hashes), f).toEqual(['sha256']);
    }
    expect(local.code).toBe(1);

    const w = startWorker();
    try {
      // The coordinator's --ffmpeg is its own (it hashes nothing here): a path that exists nowhere changes nothing.
      const fleet = runCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '2', ...ALGO, ...SAMPLING, '--ffmpeg', join(dir, 'no', 'ffmpeg'), '--summary', join(dir, 'fleet.json'), tree]);
      expect(fleet.stderr).not.toMatch(/fatal|warning/);
      expect(canonical(parseNdjson<Rec>(fleet.stdout))).toEqual(canonical(localRecs));
      expect(counts(join(dir, 'fleet.json'))).toEqual(counts(join(dir, 'local.json')));
      expect(fleet.code).toBe(local.code);
    } finally {
      await stopWorker(w);
    }
  }, 120_000);

  test('a worker without ffmpeg: each video is a coded error row with its digests, said once on the worker\'s stderr', async () => {
    const w = startWorker([], { PATH: join(dir, 'no-bin'), HASHSIEVE_FFMPEG: '' });
    let stderr = '';
    try {
      const r = runCli(['scan', '--db', db, '--queue', redis.socket, '--batch-size', '2', ...ALGO, ...SAMPLING, tree]);
      const recs = byName(parseNdjson<Rec>(r.stdout));
      for (const f of ['copy.dat', 'unrelated.mkv']) {
        expect(recs[f].status, f).toBe('error');
        expect(recs[f].error?.code, f).toBe('UNSUPPORTED_FORMAT');
        expect(recs[f].error?.message, f).toMatch(/apt-get install -y ffmpeg/);
        expect(recs[f].hashes, f).toHaveProperty('sha256');
      }
      // A known-good video needs no ffmpeg, locally or in the fleet.
      expect(recs['system/intro.mp4'].status).toBe('known_good');
      expect(r.code).toBe(1);
    } finally {
      stderr = await stopWorker(w);
    }
    expect(stderr.match(/apt-get install -y ffmpeg/g)).toHaveLength(1);
    expect(stderr).toMatch(/cannot hash videos/);
  }, 120_000);

  test('worker --ffmpeg PATH that is not a program: exit 2 at start', () => {
    const r = runCli(['worker', '--queue', redis.socket, '--ffmpeg', join(dir, 'no', 'ffmpeg')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ffmpeg was not found .*not an executable file/);
  });
});
