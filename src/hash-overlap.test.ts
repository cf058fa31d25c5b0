import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashBuffer } from './hash.js';
import { DEFAULT_DECODE_LIMITS, decodeImage } from './image/decode.js';
import { sha256 } from './signals/digests.js';
import type { ExactSignalType } from './signals/types.js';
import { generateSource } from './synthetic/images.js';

let jpeg: Buffer;
/** Pipelines handed to libvips since the test began (sharp reports each one synchronously as it queues it). */
let queued = 0;
const onQueue = (): void => {
  queued++;
};

beforeAll(async () => {
  jpeg = await sharp(await generateSource(3, 320, 240)).jpeg({ quality: 85 }).toBuffer();
});

afterEach(() => {
  sharp.queue.off('change', onQueue);
});

function watchQueue(): void {
  queued = 0;
  sharp.queue.on('change', onQueue);
}

/** sha256 under another name that records whether a decode had been queued when its digest was formatted. */
function probe(seen: number[]): ExactSignalType {
  return {
    ...sha256,
    name: 'probe',
    format: (h: Uint8Array) => {
      seen.push(queued);
      return sha256.format(h);
    },
  };
}

describe('digests overlap the decode', () => {
  it('decodeImage hands a JPEG buffer to libvips before it returns', async () => {
    watchQueue();
    const pending = decodeImage(jpeg, { limits: DEFAULT_DECODE_LIMITS, minSide: null, rgba: false });
    const atReturn = queued;
    await pending;
    expect(atReturn).toBe(1);
  });

  it('without a known-good check the decode is queued before the digests are computed, and both are reported', async () => {
    const seen: number[] = [];
    watchQueue();
    const r = await hashBuffer(jpeg, { signals: ['pdq', 'blockhash', probe(seen), 'md5'] });
    expect(seen).toEqual([1]);
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.hashes)).toEqual(['pdq', 'blockhash', 'probe', 'md5']);
    expect(r.hashes.probe.hash).toBe(createHash('sha256').update(jpeg).digest('hex'));
    expect(r.hashes.md5.hash).toBe(createHash('md5').update(jpeg).digest('hex'));
    const alone = await hashBuffer(jpeg, { signals: ['pdq', 'blockhash'] });
    expect(r.hashes.pdq).toEqual(alone.hashes.pdq);
    expect(r.hashes.blockhash).toEqual(alone.hashes.blockhash);
  });

  it('a known-good check still sees the digests before any decode', async () => {
    const seen: number[] = [];
    watchQueue();
    let asked = 0;
    const r = await hashBuffer(jpeg, {
      signals: ['pdq', probe(seen)],
      skipDecode: (d) => {
        asked++;
        expect(queued).toBe(0);
        return d.get('probe')?.hash === 'no such digest';
      },
    });
    expect(seen).toEqual([0]);
    expect(asked).toBe(1);
    expect(r.decodeSkipped).toBeUndefined();
    expect(r.hashes.pdq.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a failed decode keeps the digests and gives the decode error', async () => {
    const truncated = jpeg.subarray(0, jpeg.length >> 1);
    const r = await hashBuffer(truncated, { signals: ['pdq', 'sha256'] });
    expect(r.hashes.sha256.hash).toBe(createHash('sha256').update(truncated).digest('hex'));
    expect(r.hashes.pdq).toBeUndefined();
    expect(r.error?.code).toMatch(/^(DECODE_FAILED|UNSUPPORTED_FORMAT)$/);
    const text = await hashBuffer(Buffer.from('not an image at all'), { signals: ['blockhash', 'md5'] });
    expect(text.hashes.md5.hash).toBe(createHash('md5').update('not an image at all').digest('hex'));
    expect(text.error?.code).toBe('UNSUPPORTED_FORMAT');
  });
});
