import type Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { getSignal } from '../signals/registry.js';
import { computeEntriesDigest } from './digest.js';
import { firstApiEntryId, recordEntryIds } from './stable-ids.js';
import { chunksFromEntries, PackedWriter } from './packed.js';
import type { Store } from './store.js';
import type { ListInfo } from './types.js';

/**
 * Banks (Hasher-Matcher-Actioner's word) are hashsieve lists. A list whose name is
 * UPPER_WITH_UNDERSCORE is a bank of that name; any other list (e.g. imported as
 * `ncmec-2024`) shows as its name upper-cased with other characters as `_`, and a name that
 * would clash gets `_<list id>` appended, so every list is a bank and none is hidden.
 */
export const BANK_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
const MAX_ENTRY_ID = 0xffffffff;

export interface BankInfo {
  readonly name: string;
  readonly list: ListInfo;
  readonly enabledRatio: number;
}

/** One content of a bank: a group of entries added together, or one imported entry. */
export interface BankContent {
  readonly id: number;
  readonly bank: string;
  readonly listId: number;
  readonly disableUntilTs: number;
  readonly note: string | null;
  readonly metadata: Record<string, unknown> | null;
  /** Signal name to lowercase hex. */
  readonly signals: Record<string, string>;
}

/**
 * Bank names for every list, in list-id order. A list with a pinned name (the name it was shown
 * under before) keeps it; the others take their own name when it is a free bank name, else a
 * derived one.
 */
export function bankNames(lists: readonly ListInfo[], pinned: ReadonlyMap<number, string> = new Map()): Map<number, string> {
  const byId = [...lists].sort((a, b) => a.id - b.id);
  const out = new Map<number, string>();
  const taken = new Set<string>();
  for (const l of byId) {
    const p = pinned.get(l.id);
    if (p !== undefined && !taken.has(p)) {
      out.set(l.id, p);
      taken.add(p);
    }
  }
  const own = (l: ListInfo): boolean => !out.has(l.id) && BANK_NAME_PATTERN.test(l.name) && !taken.has(l.name);
  const owners = new Set(byId.filter(own).map((l) => l.id));
  for (const l of byId) if (owners.has(l.id)) taken.add(l.name);
  for (const l of byId) {
    if (out.has(l.id)) continue;
    if (owners.has(l.id)) {
      out.set(l.id, l.name);
      continue;
    }
    let name = l.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    if (!/^[A-Z_]/.test(name)) name = `_${name}`;
    // The suffixed name may itself be a list's name (`HD_3`): suffix again until it is free.
    while (taken.has(name)) name = `${name}_${l.id}`;
    taken.add(name);
    out.set(l.id, name);
  }
  return out;
}

export function checkBankName(name: string): void {
  if (!BANK_NAME_PATTERN.test(name)) throw new UsageError('Bank names must be UPPER_WITH_UNDERSCORE');
}

const now = (): string => new Date().toISOString();

/** Bank-level curation over the list store (writable). Every change is one transaction. */
export class BankStore {
  private readonly db: Database.Database;

  constructor(private readonly store: Store) {
    this.db = store.db;
  }

  /**
   * Every list as a bank. Names are pinned the first time a list is shown (writable stores), so
   * a list imported later with a name that clashes never takes an existing list's bank name.
   */
  banks(): BankInfo[] {
    let lists = this.store.lists();
    const pinned = this.pins();
    let names = bankNames(lists, pinned);
    if (!this.store.readonly && lists.some((l) => !pinned.has(l.id))) ({ lists, names } = this.db.transaction(() => this.pinNames()).immediate());
    const ratios = new Map(
      (this.db.prepare('SELECT list_id, enabled_ratio FROM bank_settings').raw().all() as [number, number][]).map(([id, r]) => [id, r]),
    );
    return lists
      .map((list) => ({ name: names.get(list.id)!, list, enabledRatio: ratios.get(list.id) ?? 1 }))
      .sort((a, b) => a.list.id - b.list.id);
  }

  private pins(): ReadonlyMap<number, string> {
    // A read-only open of an older store has no pins: names are derived as they come.
    if (this.store.readonly && !this.db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'bank_names'").get()) return new Map();
    return new Map(this.db.prepare('SELECT list_id, name FROM bank_names').raw().all() as [number, string][]);
  }

  /** Pin the names of lists shown for the first time (inside a write transaction, from fresh reads). */
  private pinNames(): { lists: ListInfo[]; names: Map<number, string> } {
    const lists = this.store.lists();
    const pinned = this.pins();
    const names = bankNames(lists, pinned);
    const insert = this.db.prepare('INSERT INTO bank_names (list_id, name) VALUES (?, ?)');
    for (const l of lists) if (!pinned.has(l.id)) insert.run(l.id, names.get(l.id));
    return { lists, names };
  }

  bank(name: string): BankInfo | undefined {
    return this.banks().find((b) => b.name === name);
  }

  /** Create an empty list named as the bank. */
  create(name: string, enabledRatio: number): BankInfo {
    checkBankName(name);
    checkRatio(enabledRatio);
    this.store.writable();
    this.db
      .transaction(() => {
        if (this.bank(name)) throw new BankExists(name);
        const id = this.db
          .prepare(
            `INSERT INTO lists (name, description, imported_at, source_format, entries_digest) VALUES (?, ?, ?, NULL, '')`,
          )
          .run(name, 'created through the HTTP API', now()).lastInsertRowid as number;
        this.db.prepare('UPDATE lists SET entries_digest = ? WHERE id = ?').run(computeEntriesDigest(this.db, id), id);
        this.db.prepare('INSERT INTO bank_settings (list_id, enabled_ratio) VALUES (?, ?)').run(id, enabledRatio);
      })
      .immediate();
    return this.bank(name)!;
  }

  /** Throws ImportedBank for a list imported from a file (curation is for banks made through the API). */
  private editable(bank: BankInfo): void {
    if (bank.list.sourceSha256 !== null) throw new ImportedBank(bank.name);
  }

  /** Rename (the list takes the new bank name; not for imported lists) and/or set the enabled ratio. */
  update(name: string, change: { name?: string; enabledRatio?: number }): BankInfo {
    if (change.name !== undefined) checkBankName(change.name);
    if (change.enabledRatio !== undefined) checkRatio(change.enabledRatio);
    this.store.writable();
    return this.db
      .transaction(() => {
        const bank = this.bank(name);
        if (!bank) throw new BankNotFound(name);
        if (change.name !== undefined && change.name !== name) {
          this.editable(bank);
          if (this.bank(change.name) || this.store.list(change.name)) throw new BankExists(change.name);
          this.db.prepare('UPDATE lists SET name = ? WHERE id = ?').run(change.name, bank.list.id);
          this.db
            .prepare('INSERT INTO bank_names (list_id, name) VALUES (?, ?) ON CONFLICT (list_id) DO UPDATE SET name = excluded.name')
            .run(bank.list.id, change.name);
        }
        if (change.enabledRatio !== undefined) {
          this.db
            .prepare('INSERT INTO bank_settings (list_id, enabled_ratio) VALUES (?, ?) ON CONFLICT (list_id) DO UPDATE SET enabled_ratio = excluded.enabled_ratio')
            .run(bank.list.id, change.enabledRatio);
        }
        return this.banks().find((b) => b.list.id === bank.list.id)!;
      })
      .immediate();
  }

  /** Delete the bank's list and everything in it; false when there was none. */
  delete(name: string): boolean {
    const bank = this.bank(name);
    return bank ? this.store.removeList(bank.list.name) : false;
  }

  /** Add one content (hex hashes per signal) to the bank; returns its id. */
  addContent(name: string, signals: Readonly<Record<string, Uint8Array | readonly Uint8Array[]>>, extra: { note?: string | null; metadata?: Record<string, unknown> | null } = {}): number {
    this.store.writable();
    const names = Object.keys(signals).sort();
    if (names.length === 0) throw new UsageError('No signals given');
    return this.db
      .transaction(() => {
        const bank = this.bank(name);
        if (!bank) throw new BankNotFound(name);
        this.editable(bank);
        const listId = bank.list.id;
        // A video signal holds several hashes (its frames), each its own entry of the one content.
        const rows = names.flatMap((signal) => (Array.isArray(signals[signal]) ? (signals[signal] as readonly Uint8Array[]) : [signals[signal] as Uint8Array]).map((hash) => ({ signal, hash })));
        if (rows.length === 0) throw new UsageError('No hashes given');
        // Above every id ever given, so a deleted content's id never names another one.
        const first = firstApiEntryId(this.db);
        if (first + rows.length - 1 > MAX_ENTRY_ID) throw new Error('The list store has run out of entry ids');
        recordEntryIds(this.db, first + rows.length - 1, true);
        const contentId = first;
        this.db
          .prepare('INSERT INTO bank_content (id, list_id, created_at, note, metadata) VALUES (?, ?, ?, ?, ?)')
          .run(contentId, listId, now(), extra.note ?? null, extra.metadata ? JSON.stringify(extra.metadata) : null);
        const insert = this.db.prepare(
          `INSERT INTO entries (id, list_id, signal, hash, external_id, category, tags) VALUES (?, ?, ?, ?, ?, '', '')`,
        );
        const link = this.db.prepare('INSERT INTO bank_content_entries (entry_id, content_id) VALUES (?, ?)');
        const count = this.db.prepare(
          'INSERT INTO list_counts (list_id, signal, count) VALUES (?, ?, 1) ON CONFLICT (list_id, signal) DO UPDATE SET count = count + 1',
        );
        rows.forEach(({ signal, hash }, i) => {
          const id = first + i;
          if (hash.length * 8 !== getSignal(signal).bits) throw new UsageError(`A ${signal} hash must be ${getSignal(signal).bits} bits`);
          insert.run(id, listId, signal, hash, `content:${contentId}`);
          link.run(id, contentId);
          count.run(listId, signal);
          new PackedWriter(this.db, listId, signal).write({ hashes: hash, ids: Uint32Array.of(id) });
        });
        this.refreshDigest(listId);
        return contentId;
      })
      .immediate();
  }

  /** A content of the bank: one added through the API, or an imported entry (by its entry id). */
  content(name: string, id: number): BankContent | undefined {
    const bank = this.bank(name);
    if (!bank) throw new BankNotFound(name);
    const row = this.db.prepare('SELECT id, list_id, disable_until_ts, note, metadata FROM bank_content WHERE id = ?').get(id) as
      | { id: number; list_id: number; disable_until_ts: number; note: string | null; metadata: string | null }
      | undefined;
    const entryRows = (
      row
        ? this.db.prepare('SELECT e.signal, e.hash FROM bank_content_entries c JOIN entries e ON e.id = c.entry_id WHERE c.content_id = ?').all(id)
        : this.db.prepare('SELECT signal, hash FROM entries WHERE id = ? AND list_id = ? AND id NOT IN (SELECT entry_id FROM bank_content_entries)').all(id, bank.list.id)
    ) as { signal: string; hash: Buffer }[];
    if (row ? row.list_id !== bank.list.id : entryRows.length === 0) return undefined;
    const signals: Record<string, string> = {};
    const frames: Record<string, string[]> = {};
    for (const e of entryRows) {
      const sig = getSignal(e.signal);
      // A video signal's frames are given back as a JSON array of frame hashes (quality and time are not stored).
      if (sig.kind === 'video') (frames[e.signal] ??= []).push(sig.format(e.hash));
      else signals[e.signal] = sig.format(e.hash);
    }
    for (const [name, list] of Object.entries(frames)) signals[name] = JSON.stringify(list);
    return {
      id,
      bank: name,
      listId: bank.list.id,
      disableUntilTs: row?.disable_until_ts ?? 1,
      note: row?.note ?? null,
      metadata: row?.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
      signals,
    };
  }

  /** Remove a content's entries from the bank; returns how many contents were deleted (0 or 1). */
  deleteContent(name: string, id: number): number {
    this.store.writable();
    return this.db
      .transaction(() => {
        const content = this.content(name, id);
        if (!content) return 0;
        this.editable(this.bank(name)!);
        const entryIds = (
          this.db.prepare('SELECT entry_id FROM bank_content_entries WHERE content_id = ?').pluck().all(id) as number[]
        );
        const ids = entryIds.length > 0 ? entryIds : [id];
        const signals = new Set<string>();
        const signalOf = this.db.prepare('SELECT signal FROM entries WHERE id = ?').pluck();
        for (const e of ids) signals.add(signalOf.get(e) as string);
        const del = this.db.prepare('DELETE FROM entries WHERE id = ?');
        for (const e of ids) del.run(e);
        this.db.prepare('DELETE FROM bank_content WHERE id = ?').run(id);
        for (const signal of signals) this.repack(content.listId, signal);
        this.refreshDigest(content.listId);
        return 1;
      })
      .immediate();
  }

  /** Rewrite one list's packed chunks and count for a signal from its entries. */
  private repack(listId: number, signal: string): void {
    this.db.prepare('DELETE FROM packed WHERE list_id = ? AND signal = ?').run(listId, signal);
    const writer = new PackedWriter(this.db, listId, signal);
    for (const chunk of chunksFromEntries(this.db, listId, signal, 0)) writer.write(chunk);
    const n = this.db.prepare('SELECT count(*) FROM entries WHERE list_id = ? AND signal = ?').pluck().get(listId, signal) as number;
    if (n === 0) this.db.prepare('DELETE FROM list_counts WHERE list_id = ? AND signal = ?').run(listId, signal);
    else this.db.prepare('UPDATE list_counts SET count = ? WHERE list_id = ? AND signal = ?').run(n, listId, signal);
  }

  private refreshDigest(listId: number): void {
    this.db.prepare('UPDATE lists SET entries_digest = ? WHERE id = ?').run(computeEntriesDigest(this.db, listId), listId);
  }
}

function checkRatio(r: number): void {
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) throw new UsageError('enabled_ratio must be a number from 0.0 to 1.0');
}

export class BankNotFound extends Error {
  override readonly name = 'BankNotFound';
  constructor(readonly bank: string) {
    super(`bank '${bank}' not found`);
  }
}

/** An imported list changes only by re-import (its provenance names the file it came from). */
export class ImportedBank extends Error {
  override readonly name = 'ImportedBank';
  constructor(readonly bank: string) {
    super(`bank '${bank}' is an imported list; its entries and name change only by importing it again`);
  }
}

export class BankExists extends Error {
  override readonly name = 'BankExists';
  constructor(readonly bank: string) {
    super('Bank already exists');
  }
}
