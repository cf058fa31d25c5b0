import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { FileError } from '../errors.js';
import { hashFile, type DecodeShape } from '../hash.js';
import { DEFAULT_DECODE_LIMITS, decodeImage, decodeOnPoolThreads } from '../image/decode.js';

/** The same libvips settings as the scan's workers, so the floor is measured like the scan. */
if (!isMainThread) decodeOnPoolThreads();

/**
 * One file for `bench hash`: decode only (the floor), in the decode shape hashing the measured
 * signals has (decodeShapeFor), or hash it as the scan's workers do.
 */
export interface HashBenchTask extends DecodeShape {
  readonly path: string;
  readonly mode: 'decode' | 'hash';
  readonly signals: readonly string[];
}

/** Only an error code comes back: the bench needs neither pixels nor hashes. */
export interface HashBenchReply {
  readonly error: string | null;
}

export default async function benchTask(task: HashBenchTask): Promise<HashBenchReply> {
  if (task.mode === 'hash') {
    const r = await hashFile(task.path, { signals: [...task.signals], syncReads: true });
    return { error: r.error?.code ?? null };
  }
  try {
    // Read as the scan's pool threads read through hashFile (syncReads), so the floor is not charged more I/O CPU than the scan.
    await decodeImage(readFileSync(task.path), { limits: DEFAULT_DECODE_LIMITS, minSide: task.minSide, rgba: task.rgba });
    return { error: null };
  } catch (e) {
    return { error: e instanceof FileError ? e.code : 'UNREADABLE' };
  }
}
