import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { formatHex } from './hex.js';
import { pdq } from './pdq.js';
import { readExpected } from '../../test/support/pdq-conformance.js';
import { PDQ_VECTORS as ROOT } from '../../test/conformance/vectors.js';
import { computePdq, dihedralHashes, hashFromBuffer64 } from './pdq/pipeline.js';
import { DEFAULT_HASH_OPTIONS, DIHEDRAL_NAMES, type DihedralName, type Pixels } from './types.js';

interface Golden {
  file: string;
  hashedWidth: number;
  hashedHeight: number;
  windowSizeAlongRows: number;
  windowSizeAlongCols: number;
  quality: number;
  hash: string;
  dctMedian: number;
  dihedral: Record<DihedralName, string>;
  buffer64x64: number[];
  dct16x16: number[];
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

const goldens: Golden[] = walk(join(ROOT, 'golden')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Golden);

describe('pdq back end on the reference 64x64 buffers (golden/*.json)', () => {
  it('has golden vectors to test', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(40);
  });

  it.each(goldens.map((g) => [g.file, g] as const))('%s: DCT, median, quality, hash, 8 dihedral hashes', (_f, g) => {
    const r = hashFromBuffer64(Float32Array.from(g.buffer64x64));
    expect(Array.from(r.dct16)).toEqual(Array.from(Float32Array.from(g.dct16x16)));
    expect(r.median).toBe(Math.fround(g.dctMedian));
    expect(r.quality).toBe(g.quality);
    expect(formatHex(r.hash)).toBe(g.hash);
    const dih = dihedralHashes(r.dct16);
    for (const name of DIHEDRAL_NAMES) expect([name, formatHex(dih[name])]).toEqual([name, g.dihedral[name]]);
  });
});

async function pngPixels(path: string): Promise<Pixels> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4, stride: info.width * info.channels };
}

describe('Jarosz filter and decimation on the pixels the C++ tool hashed (decoded/*.png, *.webp)', () => {
  const expected = new Map(readExpected('expected-cpp-cli.csv').map((e) => [e.path, { hash: e.hash, quality: e.quality }]));
  const decoded = walk(join(ROOT, 'decoded')).map((f) => relative(join(ROOT, 'decoded'), f));

  it('has decoded images, including ones over 512 px', () => {
    expect(decoded.length).toBeGreaterThanOrEqual(8);
  });

  it.each(decoded)('%s: 64x64 buffer, hash and quality as the reference', async (rel) => {
    const image = rel.replace(/\.(png|webp)$/, '');
    const golden = goldens.find((g) => g.file === image);
    const pixels = await pngPixels(join(ROOT, 'decoded', rel));
    const r = computePdq(pixels, true);
    if (golden) {
      expect([r.hashedWidth, r.hashedHeight]).toEqual([golden.hashedWidth, golden.hashedHeight]);
      expect([r.windowAlongRows, r.windowAlongCols]).toEqual([golden.windowSizeAlongRows, golden.windowSizeAlongCols]);
      expect(Array.from(r.buffer64)).toEqual(Array.from(Float32Array.from(golden.buffer64x64)));
    }
    const want = expected.get(image);
    expect(want).toBeDefined();
    const viaSignal = pdq.fromPixels(pixels, { ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'cpp' });
    expect({ hash: pdq.format(viaSignal.hash), quality: viaSignal.quality }).toEqual(want);
  });
});
