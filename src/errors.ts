/**
 * Errors. Library code only throws; only the CLI entry point calls process.exit.
 * Per-file problems are data (FileErrorInfo) with stable codes that scans record and move past.
 */

/** Bad command-line use or bad arguments to a library call: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** A hash string that its signal cannot parse. */
export class HashFormatError extends Error {
  override readonly name = 'HashFormatError';
}

export const FILE_ERROR_CODES = [
  'EMPTY_FILE',
  'UNREADABLE',
  'NOT_A_FILE',
  'UNSUPPORTED_FORMAT',
  'DECODE_FAILED',
  'TOO_MANY_PIXELS',
  'TOO_LARGE',
  'TIMEOUT',
  'WORKER_CRASHED',
  'DECODER_CRASHED',
] as const;

export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

export interface FileErrorInfo {
  readonly code: FileErrorCode;
  /** For a person; never contains pixel data or file contents. */
  readonly message: string;
}

/** Thrown inside the hashing path, caught and turned into a FileErrorInfo row. */
export class FileError extends Error {
  override readonly name = 'FileError';
  constructor(
    readonly code: FileErrorCode,
    message: string,
  ) {
    super(message);
  }
  toInfo(): FileErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** sharp-style validation message: "Expected positive integer for width but received -1" (strings quoted). */
export function invalidParameterError(name: string, expected: string, value: unknown): UsageError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new UsageError(`Expected ${expected} for ${name} but received ${shown}`);
}
