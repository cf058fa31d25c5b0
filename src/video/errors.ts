import { FileError, UsageError, type FileErrorInfo } from '../errors.js';
import { FfmpegMissingError } from './ffmpeg.js';

/** A failure while hashing one video, as a per-file error row (a missing ffmpeg included: the scan goes on). */
export function videoErrorInfo(e: unknown): FileErrorInfo {
  if (e instanceof FileError) return e.toInfo();
  if (e instanceof FfmpegMissingError) return { code: 'UNSUPPORTED_FORMAT', message: `Video needs ffmpeg: ${e.message}` };
  if (e instanceof UsageError) throw e;
  return { code: 'DECODE_FAILED', message: 'The video could not be hashed' };
}
