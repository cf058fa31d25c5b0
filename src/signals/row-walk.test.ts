import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hashBuffer } from '../hash.js';
import { generateSource } from '../synthetic/images.js';
import { blockhash } from './blockhash.js';
import { formatHex } from './hex.js';
import { pdq } from './pdq.js';
import { walkRows } from './row-walk.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PerceptualResult, type PerceptualSignalType, type Pixels } from './types.js';

/** Smooth seeded noise (PDQ quality well above its minimum) with `channels` bands and `pad` bytes after each row. */
function image(width: number, height: number, channels: 1 | 3 | 4, seed: number, pad = 0): Pixels {
  const stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  let s = seed >>> 0;
  const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) - 128;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const base = 128 + 90 * Math.sin((x * (c + 1)) / 37 + y / 23) * Math.cos(y / (11 + 5 * c));
        data[y * stride + x * channels + c] = Math.max(0, Math.min(255, Math.round(base + rnd() / 16)));
      }
      if (channels === 4 && (x + y) % 5 === 0) data[y * stride + x * 4 + 3] = 0;
    }
  }
  return { data, width, height, channels, stride };
}

const show = (r: PerceptualResult) => ({
  hash: formatHex(r.hash),
  quality: r.quality,
  dihedral: r.dihedral && Object.fromEntries(Object.entries(r.dihedral).map(([k, v]) => [k, formatHex(v)])),
});

function expectSameAsFromPixels(p: Pixels, options: HashOptions = DEFAULT_HASH_OPTIONS): void {
  const walked = walkRows([pdq, blockhash], p, options, 0);
  expect([...walked.keys()]).toEqual([pdq, blockhash]);
  for (const s of [pdq, blockhash]) {
    expect(show(walked.get(s)!()), `${s.name} ${p.width}x${p.height}x${p.channels} stride ${p.stride}`).toEqual(show(s.fromPixels(p, options)));
  }
}

describe('one walk over the rows for pdq and blockhash', () => {
  it.each([
    [1024, 768, 3, 0],
    [1000, 700, 3, 0],
    [1023, 769, 4, 0],
    [999, 301, 3, 5],
    [64, 64, 3, 0],
    [4097, 70, 3, 0],
    [70, 4097, 4, 0],
    [90, 3000, 3, 1],
  ] as const)('%ix%i, %i channels, %i bytes of padding: the same hashes and qualities as fromPixels', (w, h, channels, pad) => {
    expectSameAsFromPixels(image(w, h, channels, w + h, pad));
  });

  it('with dihedral hashes, and blockhash at other sizes', () => {
    const p = image(1000, 700, 3, 5);
    expectSameAsFromPixels(p, { ...DEFAULT_HASH_OPTIONS, dihedral: true });
    expectSameAsFromPixels(p, { ...DEFAULT_HASH_OPTIONS, blockhashBits: 12 });
    expectSameAsFromPixels(p, { ...DEFAULT_HASH_OPTIONS, blockhashBits: 64 });
  });

  it('takes part only where at least two signals have a pass and they share band copies or the image is large enough', () => {
    const rgb = image(300, 200, 3, 1);
    const unshared: PerceptualSignalType = { ...blockhash, name: 'unshared', rowPass: (p, o) => ({ ...blockhash.rowPass!(p, o)!, bandReader: undefined }) };
    expect(walkRows([pdq, unshared], rgb, DEFAULT_HASH_OPTIONS).size).toBe(0);
    expect(walkRows([pdq, unshared], rgb, DEFAULT_HASH_OPTIONS, rgb.data.length).size).toBe(2);
    expect(walkRows([pdq, blockhash], rgb, DEFAULT_HASH_OPTIONS).size).toBe(2);
    expect(walkRows([blockhash], rgb, DEFAULT_HASH_OPTIONS, 0).size).toBe(0);
    // PDQ's row pass serves RGB and RGBA in the fast pipeline only.
    expect(walkRows([pdq, blockhash], image(300, 200, 1, 1), DEFAULT_HASH_OPTIONS, 0).size).toBe(0);
    expect(walkRows([pdq, blockhash], rgb, { ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'fullres' }, 0).size).toBe(0);
    expect(walkRows([pdq, blockhash], image(63, 200, 3, 1), DEFAULT_HASH_OPTIONS, 0).size).toBe(0);
  });

  it('a pass that throws gives its error to that signal only', () => {
    const broken: PerceptualSignalType = {
      ...blockhash,
      name: 'broken',
      rowPass: () => ({
        rows: (y0) => {
          if (y0 > 0) throw new Error('band failed');
        },
        finish: () => ({ hash: new Uint8Array(32) }),
      }),
    };
    const p = image(700, 500, 3, 2);
    const walked = walkRows([pdq, broken, blockhash], p, DEFAULT_HASH_OPTIONS, 0);
    expect(() => walked.get(broken)!()).toThrow('band failed');
    expect(show(walked.get(pdq)!())).toEqual(show(pdq.fromPixels(p, DEFAULT_HASH_OPTIONS)));
    expect(show(walked.get(blockhash)!())).toEqual(show(blockhash.fromPixels(p, DEFAULT_HASH_OPTIONS)));
  });

  it('hashing a large JPEG with both signals gives what each gives alone', async () => {
    const jpeg = await sharp(await generateSource(4, 500, 375)).resize(2000, 1500).jpeg({ quality: 90 }).toBuffer();
    const both = await hashBuffer(jpeg, { signals: ['pdq', 'blockhash'] });
    expect(both.error).toBeUndefined();
    for (const name of ['pdq', 'blockhash']) {
      const alone = await hashBuffer(jpeg, { signals: [name] });
      expect(both.hashes[name], name).toEqual(alone.hashes[name]);
    }
  });
});
