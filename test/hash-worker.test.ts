/**
 * hashFile with syncReads in a worker thread, as the scan's workers run it: the same results as
 * the default asynchronous reads on the main thread, errors included.
 * Runs the BUILT library (run `npm run build` first) in a worker_threads Worker.
 */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url);
const HASH_JS = new URL('dist/src/hash.js', ROOT);
const IMAGES = new URL('fixtures/images/', ROOT);
const IS_ROOT = process.getuid?.() === 0;
const REQUEST = { signals: ['pdq', 'sha256', 'md5'] };

/** hashFile of every path in a fresh worker thread, in order. */
function hashInWorker(paths: string[]): Promise<unknown[]> {
  const source = `
    import { parentPort, workerData, isMainThread } from 'node:worker_threads';
    const { hashFile } = await import(workerData.hashJs);
    const results = [];
    for (const p of workerData.paths) results.push(await hashFile(p, workerData.request));
    parentPort.postMessage({ isMainThread, results });
  `;
  return new Promise((done, fail) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
      workerData: { hashJs: HASH_JS.href, paths, request: { ...REQUEST, syncReads: true } },
    });
    w.once('message', (m: { isMainThread: boolean; results: unknown[] }) => {
      expect(m.isMainThread).toBe(false);
      done(m.results);
      void w.terminate();
    });
    w.once('error', fail);
  });
}

let dir = '';
const cases: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hashsieve-worker-'));
  cases.jpeg = new URL('b.jpg', IMAGES).pathname;
  cases.png = new URL('a.png', IMAGES).pathname;
  cases.missing = join(dir, 'missing.jpg');
  cases.directory = join(dir, 'sub');
  await mkdir(cases.directory);
  cases.empty = join(dir, 'empty.jpg');
  await writeFile(cases.empty, '');
  cases.notAnImage = join(dir, 'notes.jpg');
  await writeFile(cases.notAnImage, 'not an image at all\n');
  cases.loop = join(dir, 'loop.jpg');
  await symlink(cases.loop, cases.loop);
  cases.notADirectory = join(cases.notAnImage, 'x.jpg');
  if (!IS_ROOT) {
    cases.denied = join(dir, 'denied.jpg');
    await writeFile(cases.denied, 'secret');
    await chmod(cases.denied, 0o000);
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('hashFile in a worker thread (synchronous reads)', () => {
  it('gives what the main thread gives, for images and for every kind of unreadable path', async () => {
    const { hashFile } = (await import(HASH_JS.href)) as typeof import('../src/hash.js');
    const paths = Object.values(cases);
    const inWorker = await hashInWorker(paths);
    const onMain: Awaited<ReturnType<typeof hashFile>>[] = [];
    for (const p of paths) onMain.push(await hashFile(p, REQUEST));
    expect(inWorker).toEqual(onMain);
    // The comparison covers what it claims to: real hashes and each error code.
    const byName = Object.fromEntries(Object.keys(cases).map((k, i) => [k, onMain[i]]));
    expect(byName.jpeg.hashes.pdq?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(byName.jpeg.error).toBeUndefined();
    expect(byName.missing.error?.code).toBe('UNREADABLE');
    expect(byName.directory.error?.code).toBe('NOT_A_FILE');
    expect(byName.empty.error?.code).toBe('EMPTY_FILE');
    expect(byName.notAnImage.hashes.sha256).toBeDefined();
    expect(byName.notAnImage.error).toBeDefined();
    expect(byName.loop.error?.message).toMatch(/symbolic links/);
    expect(byName.notADirectory.error?.message).toMatch(/not a directory/);
    if (!IS_ROOT) expect(byName.denied.error?.message).toBe('Permission denied');
  });
});
