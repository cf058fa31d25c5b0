import { HashFormatError } from '../errors.js';

/** Value of each ASCII hex digit, -1 for every other code unit below 128. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[65 + c] = NIBBLE[97 + c] = 10 + c;

/** Parse a fixed-length hex string into bytes; `name` and `bits` are for the error message. */
export function parseHex(hex: string, bits: number, name: string): Uint8Array {
  const chars = bits / 4;
  if (typeof hex !== 'string') {
    throw new HashFormatError(`Expected ${chars} hex characters for a ${name} hash but received ${typeof hex}`);
  }
  if (hex.length !== chars) {
    throw new HashFormatError(
      `Expected ${chars} hex characters for a ${name} hash but received ${hex.length}`,
    );
  }
  const out = new Uint8Array(chars / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hex.charCodeAt(2 * i);
    const lo = hex.charCodeAt(2 * i + 1);
    const v = ((hi < 128 ? NIBBLE[hi] : -1) << 4) | (lo < 128 ? NIBBLE[lo] : -1);
    if (v < 0) throw new HashFormatError(`Expected only hex digits 0-9a-f in a ${name} hash`);
    out[i] = v;
  }
  return out;
}

export function formatHex(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}

const POP8 = new Uint8Array(256);
for (let i = 1; i < 256; i++) POP8[i] = (i & 1) + POP8[i >> 1];

/** Hamming distance between two equal-length byte strings (reference, not the hot path). */
export function hammingBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`Cannot compare hashes of ${a.length * 8} and ${b.length * 8} bits`);
  }
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POP8[a[i] ^ b[i]];
  return d;
}
