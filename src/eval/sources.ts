/**
 * Benign synthetic sources for the evaluation: a two-colour gradient, value noise in several
 * octaves (power falling with frequency, roughly as in photographs) and a few flat shapes.
 * Same idea as src/synthetic/images.ts, but encoded with fast PNG settings: the evaluation makes
 * thousands of these and maximum PNG compression would dominate its running time.
 */
import sharp from 'sharp';
import { mulberry32, randomInt } from '../synthetic/prng.js';

const CHANNELS = 3;
/** Noise octaves: cells across the image and amplitude in grey levels. */
const OCTAVES: readonly (readonly [cells: number, amplitude: number])[] = [
  [3, 56],
  [7, 28],
  [15, 14],
  [31, 7],
];
const MIN_SHAPES = 3;
const MAX_SHAPES = 10;

const smooth = (t: number) => t * t * (3 - 2 * t);

function noiseField(rand: () => number, width: number, height: number): Float32Array {
  const field = new Float32Array(width * height);
  for (const [cells, amplitude] of OCTAVES) {
    const side = cells + 1;
    const grid = Float32Array.from({ length: side * side }, () => (rand() * 2 - 1) * amplitude);
    for (let y = 0; y < height; y++) {
      const gy = (y / height) * cells;
      const iy = Math.floor(gy);
      const fy = smooth(gy - iy);
      for (let x = 0; x < width; x++) {
        const gx = (x / width) * cells;
        const ix = Math.floor(gx);
        const fx = smooth(gx - ix);
        const i = iy * side + ix;
        const top = grid[i] + (grid[i + 1] - grid[i]) * fx;
        const bottom = grid[i + side] + (grid[i + side + 1] - grid[i + side]) * fx;
        field[y * width + x] += top + (bottom - top) * fy;
      }
    }
  }
  return field;
}

function background(rand: () => number, width: number, height: number): Buffer {
  const c0 = [0, 1, 2].map(() => randomInt(rand, 0, 255));
  const c1 = [0, 1, 2].map(() => randomInt(rand, 0, 255));
  const angle = rand() * 2 * Math.PI;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const span = Math.abs(dx) * width + Math.abs(dy) * height || 1;
  const offset = Math.min(0, dx * width) + Math.min(0, dy * height);
  const noise = noiseField(rand, width, height);
  const out = Buffer.alloc(width * height * CHANNELS);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x * dx + y * dy - offset) / span;
      const n = noise[y * width + x];
      const o = (y * width + x) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) out[o + c] = Math.max(0, Math.min(255, Math.round(c0[c] + (c1[c] - c0[c]) * t + n)));
    }
  }
  return out;
}

function shapesSvg(rand: () => number, width: number, height: number): string {
  const count = randomInt(rand, MIN_SHAPES, MAX_SHAPES);
  const size = Math.min(width, height);
  const shapes: string[] = [];
  for (let i = 0; i < count; i++) {
    const fill = `fill="rgb(${randomInt(rand, 0, 255)},${randomInt(rand, 0, 255)},${randomInt(rand, 0, 255)})" fill-opacity="${(0.5 + rand() * 0.5).toFixed(2)}"`;
    const cx = rand() * width;
    const cy = rand() * height;
    const s = size * (0.05 + rand() * 0.3);
    const kind = randomInt(rand, 0, 2);
    if (kind === 0) {
      shapes.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${(s / 2).toFixed(1)}" ${fill}/>`);
    } else if (kind === 1) {
      const w = s * (0.4 + rand());
      const h = s * (0.4 + rand());
      const rot = (rand() * 180).toFixed(1);
      shapes.push(`<rect x="${(cx - w / 2).toFixed(1)}" y="${(cy - h / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" transform="rotate(${rot} ${cx.toFixed(1)} ${cy.toFixed(1)})" ${fill}/>`);
    } else {
      const pts = [0, 1, 2].map(() => `${(cx + (rand() - 0.5) * 2 * s).toFixed(1)},${(cy + (rand() - 0.5) * 2 * s).toFixed(1)}`).join(' ');
      shapes.push(`<polygon points="${pts}" ${fill}/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/** One source as PNG; the same (seed, width, height) always gives the same bytes. */
export async function evalSource(seed: number, width: number, height: number): Promise<Buffer> {
  const rand = mulberry32(seed);
  const raw = background(rand, width, height);
  return sharp(raw, { raw: { width, height, channels: CHANNELS } })
    .composite([{ input: Buffer.from(shapesSvg(rand, width, height)), top: 0, left: 0 }])
    .removeAlpha()
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
}
