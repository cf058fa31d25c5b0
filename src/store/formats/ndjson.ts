import { SIGNALS } from '../../signals/registry.js';
import { lineFormat } from './lineformat.js';
import { displayName, nameAsId, optionalText, type EntrySink, type FormatOptions, type FormatParser } from './types.js';

/** The record field used as external id unless `columns.id` names another. */
export const DEFAULT_ID_FIELD = 'path';
export const LOW_QUALITY_NOTE = 'low-quality perceptual hashes not imported (flagged lowQuality by hashsieve)';
export const NO_HASH_NOTE = 'records without any importable hash (error rows)';

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a parsed line looks like a record of `hashsieve hash` or `scan` (NDJSON). */
export function isHashRecord(v: unknown): boolean {
  return isObject(v) && isObject(v.hashes);
}

/**
 * NDJSON as `hashsieve hash` and `hashsieve scan` write it: one record per line with a `hashes`
 * object ({ pdq: { hash, quality, lowQuality }, sha256: { hash }, … }). Every hash a record carries
 * of a registered signal becomes an entry, except perceptual hashes flagged low quality (counted);
 * the id is the record's `path` (or the field `columns.id` names), C-quoted if it holds control
 * characters; `columns.category` may name a field for the category.
 */
export function ndjsonFormat(sink: EntrySink, options: FormatOptions): FormatParser {
  const idField = options.columns?.id ?? DEFAULT_ID_FIELD;
  const categoryField = options.columns?.category;
  return lineFormat(sink, (raw, n) => {
    if (raw.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch {
      sink.problem(n, 'not a JSON record');
      return;
    }
    if (!isHashRecord(rec)) {
      sink.problem(n, 'not a hash record (no "hashes" object)');
      return;
    }
    const r = rec as JsonObject & { hashes: JsonObject };
    const idText = optionalText(typeof r[idField] === 'object' ? null : r[idField]);
    const id = idText === null ? null : nameAsId(idText);
    const category = categoryField === undefined ? null : optionalText(typeof r[categoryField] === 'object' ? null : r[categoryField]);
    let imported = 0;
    for (const [name, value] of Object.entries(r.hashes)) {
      if (!SIGNALS.has(name)) {
        sink.note(`hash signals not imported: ${displayName(name) ?? '(unnamed)'}`);
        continue;
      }
      if (Array.isArray(value) && SIGNALS.get(name)?.kind === 'video') {
        // A video's vPDQ frames, as `hash` and `scan` write them: each frame is an entry.
        for (const f of value) {
          if (isObject(f) && typeof f.hash === 'string' && typeof f.quality === 'number') sink.entry(n, name, `${f.hash},${f.quality},0`, id, category, []);
          else sink.problem(n, `a ${name} frame is not a { "hash", "quality" } object`);
        }
        imported++;
        continue;
      }
      if (!isObject(value) || typeof value.hash !== 'string') {
        sink.problem(n, `the ${name} hash is not a { "hash": "…" } object`);
        continue;
      }
      if (value.lowQuality === true) {
        sink.note(LOW_QUALITY_NOTE);
        continue;
      }
      sink.entry(n, name, value.hash, id, category, []);
      imported++;
    }
    if (imported === 0) sink.note(NO_HASH_NOTE);
  });
}
