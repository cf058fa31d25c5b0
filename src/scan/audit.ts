import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { FileHashResult } from '../results.js';
import { getSignal, isExact } from '../signals/registry.js';
import { hashdeepFormat } from '../store/formats/hashdeep.js';
import { FormatError } from '../store/formats/types.js';
import type { MatchOutcome } from './matcher.js';

/** One file the audited list describes: its path (resolved) and its digests by signal name. */
export interface AuditEntry {
  readonly path: string;
  readonly digests: Readonly<Record<string, string>>;
}

export interface AuditList {
  readonly file: string;
  /** The exact signals the list holds (the scan must compute them). */
  readonly signals: readonly string[];
  readonly entries: readonly AuditEntry[];
}

/**
 * What an audit found, in hashdeep's terms: files whose path and digests are as listed (matched),
 * listed digests found under another path (moved), files the list does not hold (new), and
 * listed files not seen (missing). Files that could not be read are listed apart.
 */
export interface AuditResult {
  readonly list: string;
  readonly matched: number;
  readonly moved: ReadonlyArray<{ readonly path: string; readonly knownPath: string }>;
  readonly new: readonly string[];
  readonly missing: readonly string[];
  readonly unreadable: readonly string[];
  /** hashdeep's rule: every file matched exactly one listed file, and none is missing, moved or new. */
  readonly passed: boolean;
}

/**
 * Read a hashdeep file that describes a tree (`hashdeep -r DIR > list`) for an audit. Relative
 * paths in it are taken from the current folder, as hashdeep itself resolves them.
 */
export function readAuditList(file: string): AuditList {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UsageError(`Cannot read the audit list ${file}`);
  }
  const byLine = new Map<number, { path: string; digests: Record<string, string> }>();
  const signals = new Set<string>();
  const parser = hashdeepFormat({
    entry(pos, signal, hash, externalId) {
      const sig = getSignal(signal);
      if (!isExact(sig)) return;
      const row = byLine.get(pos) ?? { path: resolve(externalId ?? ''), digests: {} };
      row.digests[sig.name] = sig.format(sig.parse(hash.trim()));
      signals.add(sig.name);
      byLine.set(pos, row);
    },
    problem(pos, reason) {
      throw new UsageError(`${file}:${pos}: ${reason}`);
    },
    note() {},
  });
  try {
    parser.feed(bytes);
    parser.end();
  } catch (e) {
    if (e instanceof FormatError) throw new UsageError(`${file}:${e.pos}: ${e.reason} (the audit list must be a hashdeep file)`);
    if (e instanceof Error && e.name === 'HashFormatError') throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
  if (byLine.size === 0) throw new UsageError(`The audit list ${file} describes no files`);
  return { file, signals: [...signals], entries: [...byLine.values()] };
}

function digestKey(signals: readonly string[], digests: Readonly<Record<string, string>>): string | null {
  const parts = signals.map((s) => digests[s]);
  return parts.every((p) => p !== undefined) ? parts.join(':') : null;
}

/** Classifies each scanned file against the list as the scan goes; `result()` adds the missing ones. */
export class Auditor {
  private readonly byPath = new Map<string, AuditEntry>();
  private readonly byDigest = new Map<string, AuditEntry[]>();
  private readonly used = new Set<AuditEntry>();
  private matched = 0;
  private readonly moved: Array<{ path: string; knownPath: string }> = [];
  private readonly fresh: string[] = [];
  private readonly unreadable: string[] = [];

  constructor(private readonly list: AuditList) {
    for (const e of list.entries) {
      this.byPath.set(e.path, e);
      const key = digestKey(list.signals, e.digests);
      if (key !== null) this.byDigest.set(key, [...(this.byDigest.get(key) ?? []), e]);
    }
  }

  /** Wraps a matcher so that every hashed file is also audited (its match outcome is unchanged). */
  tap<M extends { match(result: FileHashResult): MatchOutcome }>(inner: M): Pick<M, 'match'> {
    return {
      match: (result) => {
        this.add(result);
        return inner.match(result);
      },
    };
  }

  add(result: FileHashResult): void {
    const path = resolve(result.path);
    const digests: Record<string, string> = {};
    for (const s of this.list.signals) if (result.hashes[s]) digests[s] = result.hashes[s].hash;
    const key = digestKey(this.list.signals, digests);
    if (key === null) {
      this.unreadable.push(path);
      return;
    }
    const same = this.byPath.get(path);
    if (same && digestKey(this.list.signals, same.digests) === key) {
      this.used.add(same);
      this.matched += 1;
      return;
    }
    const elsewhere = (this.byDigest.get(key) ?? []).find((e) => !this.used.has(e) && e.path !== path) ?? this.byDigest.get(key)?.[0];
    if (elsewhere) {
      this.used.add(elsewhere);
      this.moved.push({ path, knownPath: elsewhere.path });
      return;
    }
    this.fresh.push(path);
  }

  result(): AuditResult {
    const missing = this.list.entries.filter((e) => !this.used.has(e)).map((e) => e.path);
    return {
      list: this.list.file,
      matched: this.matched,
      moved: this.moved,
      new: this.fresh,
      missing,
      unreadable: this.unreadable,
      passed: this.moved.length === 0 && this.fresh.length === 0 && missing.length === 0 && this.unreadable.length === 0,
    };
  }
}
