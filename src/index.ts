/**
 * hashsieve's public library API. Sections are appended per area; keep each one a block of
 * re-exports so the API is visible at a glance.
 */

// ── Hashing: files, buffers, pixels ─────────────────────────────────────────────────────────
export { DEFAULT_SIGNAL_NAMES, hashBuffer, hashFile, hashPixels, type HashRequest } from './hash.js';
export {
  DEFAULT_DECODE_LIMITS,
  decodeImage,
  type DecodedImage,
  type DecodeLimits,
  type DecodeRequest,
} from './image/decode.js';

// ── Signals: the registry and one object per algorithm ──────────────────────────────────────
export { getSignal, isExact, isPerceptual, parseSignalList, SIGNALS, signalNames } from './signals/registry.js';
export { pdq, PDQ_BITS, PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY } from './signals/pdq.js';
export {
  blockhash,
  BLOCKHASH_DEFAULT_BITS,
  BLOCKHASH_MATCH_THRESHOLD,
  blockhashPrecise,
  blockhashQuick,
  blockhashThreshold,
  checkBlockhashBits,
  parseBlockhash,
} from './signals/blockhash.js';
export { md5, sha1, sha256 } from './signals/digests.js';
export { formatHex, hammingBytes, parseHex } from './signals/hex.js';
export {
  DEFAULT_HASH_OPTIONS,
  DIHEDRAL_NAMES,
  type DihedralName,
  type ExactSignalType,
  type HashOptions,
  type PdqPipeline,
  type PerceptualResult,
  type PerceptualSignalType,
  type Pixels,
  type SignalType,
} from './signals/types.js';

// ── Results and errors ──────────────────────────────────────────────────────────────────────
export type { FileHashResult, SignalHash } from './results.js';
export {
  FILE_ERROR_CODES,
  FileError,
  HashFormatError,
  UsageError,
  type FileErrorCode,
  type FileErrorInfo,
} from './errors.js';

// ── Index ───────────────────────────────────────────────────────────────────────────────────
export type { ExactIndex, HammingIndex, IndexMatch, PackedHashes } from './index/types.js';

// ── Store ───────────────────────────────────────────────────────────────────────────────────

// ── Scan ────────────────────────────────────────────────────────────────────────────────────
