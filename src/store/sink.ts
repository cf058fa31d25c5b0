import { HashFormatError } from '../errors.js';
import { hasUnsafeChars } from '../report/escape.js';
import { SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import { displayName, type EntrySink } from './formats/types.js';
import type { SortedRows } from './runs.js';
import { encodeTags } from './store.js';
import { parseVpdqSignal, VPDQ_LOW_QUALITY_NOTE, VPDQ_NO_FRAMES_NOTE } from './formats/vpdq.js';
import { VPDQ_MIN_QUALITY } from '../signals/vpdq.js';

const MAX_SKIP_REASONS = 20;
/** Counted (and warned about) at import: such a hash matches every flat or near-flat image. */
export const DEGENERATE_NOTE = 'degenerate perceptual hashes (all bits 0 or all bits 1; they match flat images)';
const OTHER_REASONS = 'other reasons';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates become U+FFFD, as they do on their way into SQLite, so sorting sees the stored text. */
const wellFormed = (s: string): string => (s === '' ? s : s.replace(LONE_SURROGATE, '\uFFFD'));

/** An invalid line or record while importing without skipInvalid. */
export class LineRejected extends Error {
  constructor(
    readonly pos: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Which of an entry's text fields holds a control character (C0, DEL, C1, line separators, bidi
 * overrides), if any: such values are refused at import, never stored. A tab is allowed in a tag.
 */
function unsafeField(id: string | null, category: string | null, tags: readonly string[]): string | null {
  if (id !== null && hasUnsafeChars(id)) return 'id';
  if (category !== null && hasUnsafeChars(category)) return 'category';
  if (tags.some((t) => hasUnsafeChars(t.replace(/\t/g, ' ')))) return 'tags';
  return null;
}

function isDegenerate(hash: Uint8Array): boolean {
  const first = hash[0];
  return (first === 0 || first === 0xff) && hash.every((b) => b === first);
}

function normaliseTags(tags: readonly string[]): string[] {
  if (tags.length === 0) return [];
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].sort();
}

/**
 * Where the formats deliver entries during an import: each hash is parsed by its signal and the
 * entry collected for sorting (see runs.ts); problems either reject the file or are counted by reason.
 */
export class ParsingSink implements EntrySink {
  readonly skipped: Record<string, number> = {};
  readonly notes: Record<string, number> = {};
  rows = 0;
  private readonly signals = new Map<string, SignalType | null>();

  constructor(
    private readonly out: SortedRows,
    private readonly skipInvalid: boolean,
    private readonly afterInsert?: (rows: number) => void,
  ) {}

  entry(pos: number, signalName: string, hex: string, externalId: string | null, category: string | null, tags: readonly string[]): void {
    const sig = this.signal(signalName);
    if (!sig) {
      const shown = displayName(signalName);
      this.problem(pos, shown ? `unknown signal type "${shown}"` : 'unknown signal type');
      return;
    }
    if (sig.kind === 'video') {
      this.videoEntry(pos, sig, hex, externalId, category, tags);
      return;
    }
    let hash: Uint8Array;
    try {
      hash = sig.parse(hex);
    } catch (err) {
      if (!(err instanceof HashFormatError)) throw err;
      this.problem(pos, err.message);
      return;
    }
    const unsafe = unsafeField(externalId, category, tags);
    if (unsafe) {
      this.problem(pos, `control character in the entry's ${unsafe}`);
      return;
    }
    if (sig.kind === 'perceptual' && isDegenerate(hash)) this.note(DEGENERATE_NOTE);
    this.add(sig, hash, externalId, category, tags);
  }

  private add(sig: SignalType, hash: Uint8Array, externalId: string | null, category: string | null, tags: readonly string[]): void {
    const id = wellFormed(externalId ?? '');
    const cat = wellFormed(category ?? '');
    const encodedTags = tags.length === 0 ? '' : encodeTags(normaliseTags(tags.map(wellFormed)));
    this.out.add(sig.name, hash, id === '' && cat === '' && encodedTags === '' ? null : [id, cat, encodedTags]);
    this.rows++;
    this.afterInsert?.(this.rows);
  }

  /** A vpdq frame line or signal string (JSON array of frames): one entry per frame of usable quality. */
  private videoEntry(pos: number, sig: SignalType, text: string, externalId: string | null, category: string | null, tags: readonly string[]): void {
    const unsafe = unsafeField(externalId, category, tags);
    if (unsafe) {
      this.problem(pos, `control character in the entry's ${unsafe}`);
      return;
    }
    const frames = parseVpdqSignal(text);
    if (!frames) {
      this.problem(pos, 'expected a vpdq frame (frame,quality,hash,timestamp or hash,quality,timestamp) or a JSON array of frames');
      return;
    }
    let kept = 0;
    for (const f of frames) {
      if (f.quality !== null && f.quality < VPDQ_MIN_QUALITY) {
        this.note(VPDQ_LOW_QUALITY_NOTE);
        continue;
      }
      this.add(sig, sig.parse(f.hash), externalId, category, tags);
      kept++;
    }
    if (kept === 0 && frames.length !== 1) this.note(VPDQ_NO_FRAMES_NOTE);
  }

  problem(pos: number, reason: string): void {
    if (!this.skipInvalid) throw new LineRejected(pos, reason);
    const key = reason in this.skipped || Object.keys(this.skipped).length < MAX_SKIP_REASONS ? reason : OTHER_REASONS;
    this.skipped[key] = (this.skipped[key] ?? 0) + 1;
  }

  note(key: string, count = 1): void {
    this.notes[key] = (this.notes[key] ?? 0) + count;
  }

  private signal(name: string): SignalType | null {
    let sig = this.signals.get(name);
    if (sig === undefined) {
      sig = SIGNALS.get(name.trim().toLowerCase()) ?? null;
      this.signals.set(name, sig);
    }
    return sig;
  }
}
