/**
 * The one seeded PRNG of fixtures, eval and bench: mulberry32 (a small, fast 32-bit generator;
 * the same seed gives the same sequence on every machine and Node version), with seed mixing.
 */

/** mulberry32 as a function returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const next = mulberry32U32(seed);
  return () => next() / 2 ** 32;
}

/** mulberry32 as a function returning unsigned 32-bit integers. */
function mulberry32U32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The generator with the helpers synthetic lists and queries need. */
export interface Prng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform integer in [0, max). */
  below(max: number): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Fill a byte array with random bytes. */
  fill(bytes: Uint8Array): void;
}

export function createPrng(seed: number): Prng {
  const nextU32 = mulberry32U32(seed);
  return {
    nextU32,
    float: () => nextU32() / 2 ** 32,
    below: (max) => Math.floor((nextU32() / 2 ** 32) * max),
    fill(bytes) {
      let i = 0;
      for (; i + 4 <= bytes.length; i += 4) {
        const r = nextU32();
        bytes[i] = r & 0xff;
        bytes[i + 1] = (r >>> 8) & 0xff;
        bytes[i + 2] = (r >>> 16) & 0xff;
        bytes[i + 3] = r >>> 24;
      }
      for (let r = nextU32(); i < bytes.length; i++, r >>>= 8) bytes[i] = r & 0xff;
    },
  };
}

/** Mix integers and strings into one 32-bit seed (FNV-1a over the parts, then a murmur3 finaliser). */
export function deriveSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  const text = parts.map(String).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An integer in [lo, hi], both inclusive. */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
