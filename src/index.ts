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
  BLOCKHASH_MIN_QUALITY,
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
  PDQ_PIPELINES,
  type DihedralName,
  type ExactSignalType,
  type HashOptions,
  type PdqPipeline,
  type PerceptualResult,
  type PerceptualSignalType,
  type Pixels,
  type RowPass,
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
export {
  buildExactIndex,
  buildHammingIndex,
  ExactDigestIndex,
  LinearIndex,
  MultiIndexHash,
  queryDihedral,
  type DihedralMatch,
  type ExactIndex,
  type HammingIndex,
  type IndexMatch,
  type MultiIndexHashOptions,
  type PackedHashes,
  type QueryPlan,
} from './search/index.js';

// ── Store ───────────────────────────────────────────────────────────────────────────────────
export {
  exportList,
  importList,
  openStore,
  resolveDbPath,
  Store,
  verifyStore,
  type EntryInfo,
  type ImportOptions,
  type ImportSummary,
  type ListInfo,
  type StoreReader,
  type StoreVerification,
} from './store/index.js';

// ── Scan ────────────────────────────────────────────────────────────────────────────────────
export {
  createPool,
  Matcher,
  scan,
  walk,
  hashFiles,
  unescapePath,
  type FsPath,
  type HashFilesConfig,
  type WalkItem,
  type WalkOptions,
  type Hasher,
  type HasherFactory,
  type HashTask,
  type MatcherOptions,
  type ScannedFile,
  type MatchInfo,
  type PoolOptions,
  type ScanConfig,
  type ScanRecord,
  type ScanResult,
  type ScanStatus,
  type ScanSummary,
} from './scan/index.js';

// ── Benchmarks (hashsieve bench) ────────────────────────────────────────────────────────────
export {
  compareResults,
  runHashBench,
  runMatchBench,
  type BenchResult,
  type Comparison,
} from './bench/index.js';

// ── Evaluation (hashsieve eval) ─────────────────────────────────────────────────────────────
export { runEval, type EvalResult } from './eval/run.js';

// ── Service (hashsieve serve): an HMA-compatible HTTP matching service ──────────────────────
export { createServer, DEFAULT_MAX_UPLOAD_BYTES, isLoopbackHost, type ServerOptions } from './service/server.js';
export { TOKEN_SCOPES, TokenStore, type TokenInfo, type TokenScope } from './store/tokens.js';
export { BankStore, bankNames, type BankContent, type BankInfo } from './store/banks.js';

// ── Video (vPDQ, ffmpeg) ────────────────────────────────────────────────────────────────────
export { vpdq, formatVpdqFile, VPDQ_FRAME_THRESHOLD, VPDQ_MIN_QUALITY, type VpdqFrame } from './signals/vpdq.js';
export type { VideoSignalType } from './signals/types.js';
export type { VideoHashes } from './results.js';
export { isVideo } from './signals/registry.js';
export { hashVideoFile, type VideoHashOptions, type VideoHashResult } from './video/hash.js';
export { hashVideoBuffer } from './video/buffer.js';
export { DEFAULT_VIDEO_LIMITS, FfmpegMissingError, resolveFfmpeg, type VideoLimits } from './video/ffmpeg.js';
export { compareVideos, DEFAULT_VPDQ_MATCH, VpdqIndex, type VideoMatch, type VpdqComparison, type VpdqMatchOptions } from './video/match.js';
