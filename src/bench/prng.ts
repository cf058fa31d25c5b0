/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) so every synthetic list and
 * query set is reproducible from `--seed` alone, on any machine and Node version.
 */
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

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export function createPrng(seed: number): Prng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d >>> 0, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
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
