import { HashFormatError } from '../errors.js';

const HEX_RE = /^[0-9a-fA-F]*$/;

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
  if (!HEX_RE.test(hex)) {
    throw new HashFormatError(`Expected only hex digits 0-9a-f in a ${name} hash`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
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
