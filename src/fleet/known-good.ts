import { DEFAULT_DECODE_LIMITS } from '../image/decode.js';
import { isExact, isPerceptual, SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import type { Hasher } from '../scan/pool.js';
import { isKnownGood } from '../scan/known-good.js';
import type { HashTask, ScannedFile } from '../scan/task.js';

function signalIs(name: string, kind: (s: SignalType) => boolean): boolean {
  const s = SIGNALS.get(name);
  return s !== undefined && kind(s);
}

/**
 * What a local scan's worker returns for this file given the task's known-good digests
 * (`HashRequest.skipDecode` in hashFile), from a fleet worker's answer, which never saw them
 * (the lists stay on the coordinator) and so decoded the file: a known-good file keeps its exact
 * digests (and size, stat) only, marked `decodeSkipped`, exactly as hashFile leaves it.
 */
export function asLocalKnownGood(task: HashTask, result: ScannedFile): ScannedFile {
  const set = task.knownGood;
  if (!set || set.length === 0 || result.decodeSkipped === true) return result;
  // hashFile asks about known-good only when a perceptual signal is computed...
  if (!task.signals.some((name) => signalIs(name, isPerceptual))) return result;
  // ...and never for a video over the decode byte limit, which it streams to ffmpeg.
  const maxBytes = task.limits.maxBytes ?? DEFAULT_DECODE_LIMITS.maxBytes;
  if (result.format === 'video' && result.size > maxBytes) return result;
  if (!isKnownGood(set, result.hashes)) return result;
  const hashes = Object.fromEntries(Object.entries(result.hashes).filter(([name]) => signalIs(name, isExact)));
  return { path: result.path, size: result.size, hashes, decodeSkipped: true, ...(result.stat !== undefined && { stat: result.stat }) };
}

/** The fleet's hasher giving known-good files the results a local scan's would (its other members unchanged). */
export function withLocalKnownGood<H extends Hasher>(hasher: H): H {
  return { ...hasher, hash: async (task: HashTask) => asLocalKnownGood(task, await hasher.hash(task)) };
}
