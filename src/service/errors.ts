import type { FileErrorCode } from '../errors.js';

/** An answer other than 2xx, with HMA's body shape `{"message": ...}` (plus a stable `code` where one applies). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

/** The status an upload's hashing error maps to: the content's own fault is 4xx, never 500. */
export function fileErrorStatus(code: FileErrorCode): number {
  switch (code) {
    case 'EMPTY_FILE':
      return 400;
    case 'TOO_LARGE':
      return 413;
    case 'WORKER_CRASHED':
      return 500;
    default:
      return 422;
  }
}
