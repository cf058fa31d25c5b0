/**
 * Deterministic, seeded generator of benign synthetic images: a two-colour gradient, smooth
 * value noise and a handful of flat geometric shapes. Nothing here resembles real content.
 */
import sharp from 'sharp';
import { mulberry32 } from './prng.js';

const CHANNELS = 3;
const NOISE_CELLS = 6;
const NOISE_AMPLITUDE = 60;
const MIN_SHAPES = 4;
const MAX_SHAPES = 9;

type Rgb = [number, number, number];

function randomColour(rand: () => number): Rgb {
  return [0, 0, 0].map(() => Math.floor(rand() * 256)) as Rgb;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Gradient plus bilinear value noise, as raw 8-bit RGB. */
function background(rand: () => number, width: number, height: number): Buffer {
  const [c0, c1] = [randomColour(rand), randomColour(rand)];
  const angle = rand() * 2 * Math.PI;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const span = Math.abs(dx) * width + Math.abs(dy) * height || 1;
  const offset = Math.min(0, dx * width) + Math.min(0, dy * height);
  const grid = Array.from({ length: (NOISE_CELLS + 1) ** 2 }, () => rand() * 2 - 1);
  const out = Buffer.alloc(width * height * CHANNELS);
  for (let y = 0; y < height; y++) {
    const gy = (y / height) * NOISE_CELLS;
    const iy = Math.floor(gy);
    const fy = smooth(gy - iy);
    for (let x = 0; x < width; x++) {
      const gx = (x / width) * NOISE_CELLS;
      const ix = Math.floor(gx);
      const fx = smooth(gx - ix);
      const g = (r: number, c: number) => grid[r * (NOISE_CELLS + 1) + c];
      const top = g(iy, ix) + (g(iy, ix + 1) - g(iy, ix)) * fx;
      const bottom = g(iy + 1, ix) + (g(iy + 1, ix + 1) - g(iy + 1, ix)) * fx;
      const noise = (top + (bottom - top) * fy) * NOISE_AMPLITUDE;
      const t = (x * dx + y * dy - offset) / span;
      const o = (y * width + x) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) {
        out[o + c] = Math.max(0, Math.min(255, Math.round(c0[c] + (c1[c] - c0[c]) * t + noise)));
      }
    }
  }
  return out;
}

function shapesSvg(rand: () => number, width: number, height: number): string {
  const count = MIN_SHAPES + Math.floor(rand() * (MAX_SHAPES - MIN_SHAPES + 1));
  const size = Math.min(width, height);
  const shapes: string[] = [];
  for (let i = 0; i < count; i++) {
    const [r, g, b] = randomColour(rand);
    const fill = `fill="rgb(${r},${g},${b})" fill-opacity="${(0.6 + rand() * 0.4).toFixed(2)}"`;
    const cx = (rand() * width).toFixed(1);
    const cy = (rand() * height).toFixed(1);
    const s = size * (0.08 + rand() * 0.3);
    const kind = Math.floor(rand() * 3);
    if (kind === 0) {
      shapes.push(`<circle cx="${cx}" cy="${cy}" r="${(s / 2).toFixed(1)}" ${fill}/>`);
    } else if (kind === 1) {
      const w = (s * (0.5 + rand())).toFixed(1);
      const h = (s * (0.5 + rand())).toFixed(1);
      const rot = (rand() * 90).toFixed(1);
      shapes.push(`<rect x="${cx}" y="${cy}" width="${w}" height="${h}" transform="rotate(${rot} ${cx} ${cy})" ${fill}/>`);
    } else {
      const pts = [0, 1, 2]
        .map(() => `${(Number(cx) + (rand() - 0.5) * 2 * s).toFixed(1)},${(Number(cy) + (rand() - 0.5) * 2 * s).toFixed(1)}`)
        .join(' ');
      shapes.push(`<polygon points="${pts}" ${fill}/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/**
 * zlib level 6 with adaptive filtering: level 9 took nearly all of a source's time on these noisy
 * images (docs/performance.md); files are about 10% larger. The committed fixture set is
 * re-encoded at level 9 (fixtures/generate.ts), so its bytes do not change.
 */
export const SOURCE_PNG = Object.freeze({ compressionLevel: 6, adaptiveFiltering: true });

/** One synthetic source image as PNG; the same (seed, width, height) always gives the same bytes. */
export async function generateSource(seed: number, width: number, height: number): Promise<Buffer> {
  for (const [name, v] of [['width', width], ['height', height], ['seed', seed]] as const) {
    if (!Number.isInteger(v) || v < (name === 'seed' ? 0 : 1)) {
      throw new RangeError(`Expected ${name === 'seed' ? 'non-negative' : 'positive'} integer for ${name} but received ${v}`);
    }
  }
  const rand = mulberry32(seed);
  const raw = background(rand, width, height);
  const svg = Buffer.from(shapesSvg(rand, width, height));
  return sharp(raw, { raw: { width, height, channels: CHANNELS } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .removeAlpha()
    .png(SOURCE_PNG)
    .toBuffer();
}

/** A PNG whose header claims `width`x`height` but carries almost no data (a decompression-bomb probe). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const idat = Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
