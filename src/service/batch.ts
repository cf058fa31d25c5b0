import { HashFormatError, UsageError } from '../errors.js';
import { SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';

/** One lookup_batch line parsed: a hash, a video signal string (answered on the main thread), or the message its answer line carries. */
export type BatchItem =
  | { readonly signal: SignalType; readonly hash: Uint8Array }
  | { readonly signal: SignalType; readonly video: string }
  | { readonly message: string };

/** The answer to a line that is empty or only white space (it is answered, so line N out still answers line N in). */
export const EMPTY_LINE_MESSAGE = 'empty line';

/** Parse `{"signal_type": ..., "signal": ...}` with the messages the single lookups give. */
export function parseBatchLine(line: string): BatchItem {
  if (line.trim() === '') return { message: EMPTY_LINE_MESSAGE };
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch {
    return { message: 'not a JSON object' };
  }
  const { signal_type: name, signal: hex } = (item ?? {}) as { signal_type?: unknown; signal?: unknown };
  if (typeof name !== 'string' || typeof hex !== 'string') return { message: 'Expected {"signal_type": ..., "signal": ...}' };
  const signal = SIGNALS.get(name);
  if (!signal) return { message: `No such SignalType '${name}'` };
  if (signal.kind === 'video') return { signal, video: hex };
  try {
    return { signal, hash: signal.parse(hex.trim()) };
  } catch (e) {
    if (e instanceof HashFormatError || e instanceof RangeError || e instanceof UsageError) return { message: `invalid signal: ${e.message}` };
    throw e;
  }
}
