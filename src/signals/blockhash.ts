// PLACEHOLDER — being replaced by the blockhash signal (issue 2). Only the hex codec works.
import { formatHex, hammingBytes, parseHex } from './hex.js';
import type { PerceptualSignalType } from './types.js';

export const BLOCKHASH_DEFAULT_BITS = 16;

export const blockhash: PerceptualSignalType = Object.freeze({
  name: 'blockhash',
  kind: 'perceptual' as const,
  bits: BLOCKHASH_DEFAULT_BITS * BLOCKHASH_DEFAULT_BITS,
  defaultThreshold: 10,
  minQuality: null,
  supportsDihedral: false,
  description: 'blockhash.io "precise" method via blockhash-core, 16x16 = 256 bits by default',
  parse: (hex: string) => parseHex(hex, 256, 'blockhash'),
  format: formatHex,
  distance: hammingBytes,
  minDecodeSide: () => null,
  fromPixels: () => {
    throw new Error('blockhash: not implemented yet');
  },
});
