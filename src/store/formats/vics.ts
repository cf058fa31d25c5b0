import { JSONParser } from '@streamparser/json';
import { SIGNALS } from '../../signals/registry.js';
import { displayName, FormatError, optionalText, type EntrySink, type FormatParser } from './types.js';

/** Header keys of VICS 1.3 (OData v3) and 2.0 (OData v4). */
const VICS_HEADER_KEYS = new Set(['odata.metadata', '@odata.context']);
const VALUE_KEY = 'value';
const PHOTODNA_KEY = 'photodna';
export const PHOTODNA_NOTE = 'PhotoDNA values (not importable: PhotoDNA cannot be computed or matched by hashsieve)';
export const NO_HASH_NOTE = 'VICS records without any importable hash';
const ALT_NAME_KEYS = ['hashname', 'name', 'hashtype', 'type', 'algorithm'];
const ALT_VALUE_KEYS = ['hashvalue', 'value', 'hash'];
const BOM = [0xef, 0xbb, 0xbf];
const MEDIA_KEY = 'media';
const CASE_ID_KEY = 'caseid';
export const CASE_TAG_PREFIX = 'case:';
/** `value[i].Media[j]`, as VICS writes the key (selectors are case-sensitive). */
const MEDIA_PATHS = ['$.value.*.Media.*', '$.value.*.media.*', '$.value.*.MEDIA.*'];
/** Stack depth at which a Media record inside a Case is emitted: root, value[], Case, Media[]. */
const MEDIA_IN_CASE_DEPTH = 4;

interface ParsedValue {
  readonly value?: unknown;
  readonly key?: unknown;
  readonly parent?: unknown;
  readonly stack: ReadonlyArray<{ readonly value?: unknown }>;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function lowerKeys(o: { [k: string]: Json }): Map<string, Json> {
  return new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

function pick(m: Map<string, Json>, keys: readonly string[]): Json | undefined {
  for (const k of keys) if (m.has(k)) return m.get(k);
  return undefined;
}

/** Each alternative hash as [name, value], from an array of {HashName, HashValue} or a {name: value} map. */
function alternativeHashes(alt: Json | undefined): Array<[string, Json | undefined]> {
  if (Array.isArray(alt)) {
    return alt.map((a) => {
      if (typeof a !== 'object' || a === null || Array.isArray(a)) return ['', undefined];
      const m = lowerKeys(a);
      return [String(pick(m, ALT_NAME_KEYS) ?? ''), pick(m, ALT_VALUE_KEYS)];
    });
  }
  if (typeof alt === 'object' && alt !== null) return Object.entries(alt);
  return [];
}

function mediaRecord(sink: EntrySink, pos: number, rec: Json, tags: readonly string[]): void {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
    sink.problem(pos, 'VICS record is not a JSON object');
    return;
  }
  const m = lowerKeys(rec);
  const id = optionalText(m.get('mediaid'));
  const category = optionalText(m.get('category'));
  let hashes = 0;
  const add = (name: string, value: Json | undefined): void => {
    if (value === null || value === undefined || value === '') return;
    const key = name.trim().toLowerCase();
    if (key === PHOTODNA_KEY) {
      sink.note(PHOTODNA_NOTE);
      hashes++;
    } else if (SIGNALS.has(key)) {
      if (typeof value !== 'string') sink.problem(pos, `VICS ${key} value is not a string`);
      else sink.entry(pos, key, value.trim(), id, category, tags);
      hashes++;
    }
  };
  for (const [k, v] of m) {
    if (k === PHOTODNA_KEY || SIGNALS.has(k)) add(k, v);
  }
  for (const [name, value] of alternativeHashes(m.get('alternativehashes'))) {
    const key = name.trim().toLowerCase();
    if (key !== PHOTODNA_KEY && !SIGNALS.has(key)) {
      sink.note(`VICS alternative hashes not imported: ${displayName(name.trim()) ?? '(unnamed)'}`);
      continue;
    }
    add(key, value);
  }
  if (hashes === 0) sink.note(NO_HASH_NOTE);
}

function positionOf(err: Error, fallback: number): number {
  const m = /absolute position "?(\d+)/.exec(err.message);
  return m ? Number(m[1]) : fallback;
}

type JsonObject = { [k: string]: Json };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Case's `Media` array, found case-insensitively; undefined when the record is not a Case. */
function mediaArray(rec: JsonObject): Json[] | undefined {
  for (const [k, v] of Object.entries(rec)) if (k.toLowerCase() === MEDIA_KEY && Array.isArray(v)) return v;
  return undefined;
}

function caseTag(rec: JsonObject): string | null {
  for (const [k, v] of Object.entries(rec)) {
    if (k.toLowerCase() === CASE_ID_KEY) {
      const id = optionalText(v);
      return id === null ? null : `${CASE_TAG_PREFIX}${id}`;
    }
  }
  return null;
}

/**
 * Project VIC VICS JSON (1.3, OData v3 `odata.metadata`; 2.0, OData v4 `@odata.context`),
 * streamed: one Media record in memory at a time. Media are read wherever the model puts them:
 * `value[]` of Media records, `value[].Media[]` of Cases (the case id kept as the tag
 * `case:ID`), or both mixed. MD5, SHA1 and every other key named like a registered signal become
 * entries with MediaID as external id and Category as category; PhotoDNA values are counted in
 * the summary, never silently dropped. A Case whose CaseID comes after its Media array has that
 * case's media held until the case ends (OData writes CaseID first).
 */
export function vicsFormat(sink: EntrySink): FormatParser {
  const parser = new JSONParser({ paths: ['$.*', '$.value.*', ...MEDIA_PATHS], keepStack: false });
  let records = 0;
  let bytes = 0;
  let header = false;
  let sawValue = false;
  let started = false;
  let thrown: unknown = null;
  /** Media of the current Case read before its CaseID, with their record numbers. */
  let pending: Array<[number, Json]> = [];
  parser.onValue = (info) => {
    try {
      onValue(info as unknown as ParsedValue);
    } catch (err) {
      thrown = err;
      throw err;
    }
  };
  const onValue = ({ value, key, parent, stack }: ParsedValue): void => {
    if (stack.length === MEDIA_IN_CASE_DEPTH) {
      // One Media record of a Case: taken out of the live Media array so the Case stays small.
      (parent as Json[]).pop();
      const pos = ++records;
      const kase = stack[MEDIA_IN_CASE_DEPTH - 1].value as JsonObject;
      const tag = caseTag(kase);
      if (tag === null) pending.push([pos, value as Json]);
      else mediaRecord(sink, pos, value as Json, [tag]);
    } else if (stack.length === 2) {
      (parent as Json[]).pop();
      if (isObject(value) && mediaArray(value) !== undefined) {
        const tag = caseTag(value);
        for (const [pos, rec] of pending) mediaRecord(sink, pos, rec, tag === null ? [] : [tag]);
        pending = [];
      } else {
        mediaRecord(sink, ++records, value as Json, []);
      }
    } else if (stack.length === 1) {
      if (typeof key === 'number') throw new FormatError(1, 'VICS JSON must be an object, not an array');
      if (VICS_HEADER_KEYS.has(String(key))) header = true;
      if (key === VALUE_KEY) {
        if (!Array.isArray(value)) throw new FormatError(1, 'VICS "value" is not an array');
        sawValue = true;
      }
    }
  };
  const fail = (err: unknown, atEnd: boolean): never => {
    if (thrown) throw thrown;
    const e = err as Error;
    if (/valid for encoding/i.test(e.message)) {
      throw new FormatError(records + 1, `not valid UTF-8 near byte ${positionOf(e, bytes)}`);
    }
    if (atEnd) {
      throw new FormatError(records + 1, `JSON ends in the middle of a record at byte ${bytes} (truncated file?)`);
    }
    throw new FormatError(records + 1, `malformed JSON at byte ${positionOf(e, bytes)}`);
  };
  return {
    unit: 'record',
    feed(chunk) {
      let data = chunk;
      if (!started) {
        started = true;
        if (BOM.every((b, i) => chunk[i] === b)) data = chunk.subarray(BOM.length);
      }
      try {
        parser.write(data);
      } catch (err) {
        fail(err, false);
      }
      bytes += data.length;
    },
    end() {
      if (!started) throw new FormatError(1, 'empty file');
      if (!parser.isEnded) {
        try {
          parser.end();
        } catch (err) {
          fail(err, true);
        }
      }
      if (!header) throw new FormatError(1, 'not a VICS file: no "odata.metadata" or "@odata.context" key');
      if (!sawValue) throw new FormatError(1, 'not a VICS file: no "value" array');
    },
  };
}
