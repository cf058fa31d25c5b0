import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashBuffer } from '../hash.js';
import { formatVpdqFile } from '../signals/vpdq.js';
import { requireSystemProgram } from '../../test/system-deps.js';
import { hashVideoBuffer } from './buffer.js';
import { liveChildCount } from './ffmpeg.js';

const CONF = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'test', 'conformance', 'vpdq');
const ok = requireSystemProgram('ffmpeg', 'ffmpeg');

describe.skipIf(!ok)('hashVideoBuffer (uploads, never on disk)', () => {
  it('hashes an mp4 and a webm from memory exactly as the reference does from the file', async () => {
    for (const [video, expected] of [
      ['e02_testsrc2_320x240_16fps.mp4', 'e02_testsrc2_320x240_16fps.txt'],
      ['s06_gradients_640x360_30fps.webm', 's06_gradients_640x360_30fps.txt'],
    ]) {
      const r = await hashVideoBuffer(readFileSync(join(CONF, 'videos', video)));
      expect(formatVpdqFile(r.frames)).toBe(readFileSync(join(CONF, 'hashes-r1', expected), 'utf8'));
    }
    expect(liveChildCount()).toBe(0);
  });
  it('hashBuffer gives a video its vPDQ frames and digests; bytes that are no video are UNSUPPORTED_FORMAT', async () => {
    const bytes = readFileSync(join(CONF, 'videos', 'e02_testsrc2_320x240_16fps.mp4'));
    const r = await hashBuffer(bytes, { signals: ['vpdq', 'md5'] });
    expect(r.video?.frames).toHaveLength(3);
    expect(r.hashes.md5).toBeDefined();
    await expect(hashVideoBuffer(Buffer.from('not a video at all'))).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    const truncated = await hashBuffer(bytes.subarray(0, 4000), { signals: ['vpdq'] });
    expect(truncated.error?.code).toBe('DECODE_FAILED');
  });
});
