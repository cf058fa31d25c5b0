/**
 * vPDQ bit-exactness: `hashsieve hash VIDEO --format vpdq` (the BUILT binary) equals the output of
 * Meta's reference vpdq-hash-video byte for byte (test/conformance/vpdq/SOURCE.md): hashes-r1/
 * at the default one frame per second, hashes/ with --seconds-per-hash 0 (every frame).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireSystemProgram } from './system-deps.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'hashsieve.js');
const DIR = join(ROOT, 'test', 'conformance', 'vpdq');
const VIDEOS = readdirSync(join(DIR, 'videos')).sort();
const ok = requireSystemProgram('ffmpeg', 'ffmpeg');

function hashVpdq(video: string, extra: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'hash', join(DIR, 'videos', video), '--format', 'vpdq', ...extra], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const expected = (dir: string, video: string) => readFileSync(join(DIR, dir, video.replace(/\.[^.]+$/, '.txt')), 'utf8');

describe.skipIf(!ok)('vPDQ conformance with the reference', () => {
  it('has the four vendored videos', () => {
    expect(VIDEOS).toHaveLength(4);
  });
  for (const video of VIDEOS) {
    it(`${video}: default (1 s per hash) equals hashes-r1/`, () => {
      const r = hashVpdq(video, []);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected('hashes-r1', video));
    });
    it(`${video}: --seconds-per-hash 0 equals hashes/ (every frame)`, () => {
      const r = hashVpdq(video, ['--seconds-per-hash', '0']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected('hashes', video));
    });
  }
});
