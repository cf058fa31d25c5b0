import { UsageError } from '../errors.js';
import { SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';

/** HMA's content types. An upload's multipart field is named by one of them. */
export const CONTENT_TYPES = ['photo', 'video'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/**
 * Whether a signal hashes this content type, read generically from the registry: a signal may
 * declare `contentTypes`; otherwise perceptual signals (pixels) fit photos, and exact digests
 * (bytes) fit any content type but never make one servable on their own.
 */
function fits(signal: SignalType, type: ContentType): 'specific' | 'any' | false {
  const declared = (signal as { contentTypes?: readonly string[] }).contentTypes;
  if (declared) return declared.includes(type) ? 'specific' : false;
  if (signal.kind === 'exact') return 'any';
  return type === 'photo' ? 'specific' : false;
}

/** The signals that hash this content type, in registry order; throws when none is specific to it. */
export function signalsForContentType(type: string, registry: ReadonlyMap<string, SignalType> = SIGNALS): SignalType[] {
  if (!(CONTENT_TYPES as readonly string[]).includes(type)) throw new UsageError(`no such content_type: '${type}'`);
  const ct = type as ContentType;
  const all = [...registry.values()];
  if (!all.some((s) => fits(s, ct) === 'specific')) throw new UsageError(`content_type ${type} is disabled (no signal for it in this build)`);
  return all.filter((s) => fits(s, ct) !== false);
}
