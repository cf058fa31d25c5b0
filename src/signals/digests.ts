import { formatHex, hammingBytes, parseHex } from './hex.js';
import type { ExactSignalType } from './types.js';

function digestSignal(name: string, algorithm: string, bits: number, description: string): ExactSignalType {
  return Object.freeze({
    name,
    kind: 'exact' as const,
    algorithm,
    bits,
    defaultThreshold: 0,
    description,
    parse: (hex: string) => parseHex(hex, bits, name),
    format: formatHex,
    distance: hammingBytes,
  });
}

export const md5 = digestSignal('md5', 'md5', 128, 'MD5 of the file bytes (exact match only)');
export const sha1 = digestSignal('sha1', 'sha1', 160, 'SHA-1 of the file bytes (exact match only)');
export const sha256 = digestSignal('sha256', 'sha256', 256, 'SHA-256 of the file bytes (exact match only)');
