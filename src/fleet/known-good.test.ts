import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { requireSystemProgram } from '../../test/system-deps.js';
import hashTask from '../scan/worker.js';
import type { KnownGoodSet } from '../scan/known-good.js';
import type { HashTask } from '../scan/task.js';
import { DEFAULT_HASH_OPTIONS } from '../signals/types.js';
import { asLocalKnownGood } from './known-good.js';
import { hashFile } from '../hash.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const hasFfmpeg = requireSystemProgram('ffmpeg', 'ffmpeg');
const dir = mkdtempSync(join(tmpdir(), 'hashsieve-fleet-kg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, from: string): string => {
  copyFileSync(join(ROOT, from), join(dir, name));
  return join(dir, name);
};
const image = file('a.png', 'fixtures/images/a.png');
const other = file('b.jpg', 'fixtures/images/b.jpg');
const video = file('v.mp4', 'test/conformance/vpdq/videos/e02_testsrc2_320x240_16fps.mp4');
const stub = join(dir, 'setup.png');
writeFileSync(stub, 'MZ not an image, an installer stub\n');

/** Known-good sha256 digests as the scan holds them: sorted, distinct, in shared memory. */
async function knownGood(paths: readonly string[]): Promise<KnownGoodSet> {
  const hex = [...new Set(await Promise.all(paths.map(async (p) => (await hashFile(p, { signals: ['sha256'] })).hashes.sha256.hash)))].sort();
  const bytes = new Uint8Array(new SharedArrayBuffer(hex.length * 32));
  hex.forEach((h, i) => bytes.set(Buffer.from(h, 'hex'), i * 32));
  return [{ signal: 'sha256', width: 32, count: hex.length, hashes: bytes.buffer as SharedArrayBuffer }];
}

/** A local worker's answer (it holds the digests) and a fleet worker's made local by the coordinator. */
async function both(task: HashTask): Promise<{ local: unknown; fleet: unknown; plain: unknown }> {
  const { knownGood: _set, ...sent } = task;
  const plain = await hashTask(sent);
  return { local: await hashTask(task), fleet: asLocalKnownGood(task, plain!), plain };
}

const base = { signals: ['pdq', 'sha256'], options: DEFAULT_HASH_OPTIONS, limits: {}, stat: true } as const;

describe('a fleet known-good file gets the result a local worker gives', () => {
  it('images, bytes no decoder accepts, files over the byte limit, files not in the set, no perceptual signal', async () => {
    const set = await knownGood([image, stub]);
    const cases: HashTask[] = [
      { ...base, path: image, knownGood: set },
      { ...base, path: stub, knownGood: set },
      { ...base, path: other, knownGood: set },
      { ...base, path: image, knownGood: set, limits: { maxBytes: 100 } },
      { ...base, path: other, knownGood: set, limits: { maxBytes: 100 } },
      { ...base, path: image, knownGood: set, signals: ['sha256', 'md5'] },
    ];
    for (const task of cases) {
      const { local, fleet } = await both(task);
      expect(fleet, `${task.path} ${JSON.stringify(task.limits)} ${task.signals.join(',')}`).toEqual(local);
    }
    // The cases do differ from a plain decode (so the comparison above tests something).
    const { local, plain } = await both(cases[1]);
    expect(local).toMatchObject({ decodeSkipped: true, hashes: { sha256: expect.anything() } });
    expect(plain).toMatchObject({ error: { code: expect.any(String) } });
  });

  it.skipIf(!hasFfmpeg)('videos: a known-good one is not hashed, unless over the byte limit (hashFile streams those to ffmpeg)', async () => {
    const set = await knownGood([video]);
    const small = { ...base, path: video, knownGood: set, video: { secondsPerHash: 0.5 } };
    const large = { ...small, limits: { maxBytes: statSync(video).size - 1 } };
    const [s, l] = [await both(small), await both(large)];
    expect(s.fleet).toEqual(s.local);
    expect(l.fleet).toEqual(l.local);
    expect(s.local).toMatchObject({ decodeSkipped: true });
    expect(s.plain).toMatchObject({ format: 'video', video: { secondsPerHash: 0.5 } });
    expect(l.local).toMatchObject({ format: 'video', video: { secondsPerHash: 0.5 } });
  });
});
