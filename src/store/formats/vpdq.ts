/**
 * vPDQ in lists. A list video is stored as one entry per distinct frame hash (signal vpdq), its
 * id the video's. Frames arrive as the reference's hash file (`frame,quality,hash,timestamp` per
 * line, one file per video, the id from the file name), or in a CSV/JSON list as
 * python-threatexchange's and HMA's signal string: a JSON array of `hash,quality,timestamp`.
 */
import { basename } from 'node:path';
import { VPDQ_MIN_QUALITY } from '../../signals/vpdq.js';
import { lineFormat } from './lineformat.js';
import type { EntrySink, FormatOptions, FormatParser } from './types.js';

export const VPDQ_LOW_QUALITY_NOTE = `vpdq frames below quality ${VPDQ_MIN_QUALITY} (never matched; not imported)`;
export const VPDQ_NO_FRAMES_NOTE = 'vpdq videos with no frame of quality 50 or more (cannot match)';

/** One frame as a list spells it. */
export interface ListFrame {
  readonly hash: string;
  readonly quality: number | null;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const INT = /^\d{1,3}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A frame from `frame,quality,hash,timestamp` (reference), `hash,quality,timestamp` (HMA,
 * python-threatexchange) or a bare hash; null when the text is none of these.
 */
export function parseFrameText(text: string): ListFrame | null {
  const f = text.split(',').map((s) => s.trim());
  const quality = (q: string) => (INT.test(q) && Number(q) <= 100 ? Number(q) : NaN);
  if (f.length === 1 && HEX64.test(f[0])) return { hash: f[0], quality: null };
  if (f.length === 3 && HEX64.test(f[0]) && NUMBER.test(f[2])) {
    const q = quality(f[1]);
    return Number.isNaN(q) ? null : { hash: f[0], quality: q };
  }
  if (f.length === 4 && /^\d+$/.test(f[0]) && HEX64.test(f[2]) && NUMBER.test(f[3])) {
    const q = quality(f[1]);
    return Number.isNaN(q) ? null : { hash: f[2], quality: q };
  }
  return null;
}

/**
 * The frames of one vpdq signal string: a JSON array of frame texts (python-threatexchange, HMA)
 * or one frame text. Null when it is neither.
 */
export function parseVpdqSignal(text: string): ListFrame[] | null {
  const t = text.trim();
  if (!t.startsWith('[')) {
    const one = parseFrameText(t);
    return one ? [one] : null;
  }
  let items: unknown;
  try {
    items = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(items)) return null;
  const frames: ListFrame[] = [];
  for (const item of items) {
    const f = typeof item === 'string' ? parseFrameText(item) : null;
    if (!f) return null;
    frames.push(f);
  }
  return frames;
}

/** A video's id from its reference hash file's name: the name without its last extension. */
export function videoIdFromFile(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The reference's hash file of one video: every line a frame; the id from FormatOptions.videoId. */
export function vpdqFileFormat(sink: EntrySink, options: FormatOptions): FormatParser {
  const id = options.videoId ?? null;
  return lineFormat(sink, (raw, n) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    sink.entry(n, 'vpdq', text, id, null, []);
  });
}
