// PLACEHOLDER — being replaced by the PDQ port (issue 2). Only the hex codec works.
import { formatHex, hammingBytes, parseHex } from './hex.js';
import type { PerceptualSignalType } from './types.js';

export const PDQ_BITS = 256;
export const PDQ_MATCH_THRESHOLD = 31;
export const PDQ_MIN_QUALITY = 50;

export const pdq: PerceptualSignalType = Object.freeze({
  name: 'pdq',
  kind: 'perceptual' as const,
  bits: PDQ_BITS,
  defaultThreshold: PDQ_MATCH_THRESHOLD,
  minQuality: PDQ_MIN_QUALITY,
  supportsDihedral: true,
  description: "Meta's PDQ perceptual hash, 256 bits",
  parse: (hex: string) => parseHex(hex, PDQ_BITS, 'pdq'),
  format: formatHex,
  distance: hammingBytes,
  minDecodeSide: () => null,
  fromPixels: () => {
    throw new Error('pdq: not implemented yet');
  },
});
