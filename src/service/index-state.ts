import { Worker } from 'node:worker_threads';
import { queryDihedral } from '../search/dihedral.js';
import { ExactDigestIndex } from '../search/exact.js';
import type { MultiIndexHash } from '../search/mih.js';
import { isPerceptual, SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import { BankStore } from '../store/banks.js';
import type { Store } from '../store/store.js';
import { restoreHamming } from './index-transfer.js';
import type { IndexJob, IndexJobResult } from './index-worker.js';

/** An index as it crossed from the builder thread: what a query thread restores its own copy from. */
export type IndexSource =
  | { readonly kind: 'hamming'; readonly chunks: readonly Uint8Array[] }
  | { readonly kind: 'exact'; readonly bits: number; readonly count: number; readonly bytes: Uint8Array; readonly ids: Uint32Array };

let nextIndexId = 1;

export interface SignalIndex {
  /** Unique per build: query threads key their copies by it. */
  readonly id: number;
  readonly signal: SignalType;
  readonly threshold: number;
  readonly size: number;
  readonly hamming: MultiIndexHash | null;
  readonly exact: ExactDigestIndex | null;
  /** Held only until the query threads have been sent their copy (then null). */
  source: IndexSource | null;
}

/** One bank (list) as indexed: immutable once built. */
export interface BankIndex {
  readonly listId: number;
  readonly name: string;
  readonly enabledRatio: number;
  /** The list's entries digest when built: an unchanged digest means the indexes can be reused. */
  readonly entriesDigest: string;
  readonly signals: ReadonlyMap<string, SignalIndex>;
  /** Entry id to content id, for entries added through the curation API (others are their own content). */
  readonly contentOf: ReadonlyMap<number, number>;
}

/** Everything a lookup reads, swapped in with one assignment: a lookup never sees half of one. */
export interface Snapshot {
  readonly banks: readonly BankIndex[];
  readonly byName: ReadonlyMap<string, BankIndex>;
  /** Unix seconds when this snapshot was completed. */
  readonly builtTo: number;
  /** What the store said when the build began (see storeState): a different answer means rebuild. */
  readonly storeState: string;
}

export interface Hit {
  readonly bank: BankIndex;
  readonly contentId: number;
  readonly distance: number;
  readonly transform?: string;
}

export interface IndexStateOptions {
  readonly dbPath: string;
  /** Restrict to these lists (by list or bank name); null = every list, including banks created later. */
  readonly lists: readonly string[] | null;
  readonly onError?: (message: string) => void;
  /** Told of every new snapshot, right after the swap (the query threads load it). */
  readonly onSwap?: (snapshot: Snapshot) => void;
}

/**
 * Holds the current snapshot and rebuilds it in the background when the store changes: only
 * banks whose entries changed are re-indexed (on a worker thread), the rest are carried over.
 */
export class IndexState {
  private snapshot: Snapshot | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private included: Set<number> | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly opts: IndexStateOptions,
  ) {}

  get current(): Snapshot | null {
    return this.snapshot;
  }

  /** Why the first build failed, if it did (lookups answer 503 with it). */
  get error(): string | null {
    return this.lastError;
  }

  /** Include a bank created while serving a restricted set of lists. */
  include(listId: number): void {
    this.included?.add(listId);
  }

  /** Start (or queue) a rebuild; resolves when the store as of now is indexed. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        try {
          await this.buildOnce();
          this.lastError = null;
        } catch (e) {
          this.lastError = (e as Error)?.message ?? String(e);
          this.opts.onError?.(`index build failed: ${this.lastError}`);
        }
      } while (this.again);
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once no rebuild is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Lists, names, entries digests and ratios as one string: any change to what is served changes it. */
  private storeState(banks = new BankStore(this.store).banks()): string {
    return banks.map((b) => `${b.list.id}:${b.name}:${b.list.entriesDigest}:${b.enabledRatio}`).join('\n');
  }

  /**
   * Look for changes made by other processes (a `list import`, a `list rm`) every `ms` and rebuild
   * when there are some; the timer does not keep the process alive.
   */
  watch(ms: number): () => void {
    const timer = setInterval(() => {
      if (this.running || !this.snapshot) return;
      try {
        if (this.storeState() !== this.snapshot.storeState) void this.refresh();
      } catch (e) {
        this.opts.onError?.(`index change check failed: ${(e as Error)?.message ?? String(e)}`);
      }
    }, ms);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async buildOnce(): Promise<void> {
    const banks = new BankStore(this.store).banks();
    const storeState = this.storeState(banks);
    if (this.included === null && this.opts.lists) {
      const wanted = new Set(this.opts.lists);
      this.included = new Set(banks.filter((b) => wanted.has(b.name) || wanted.has(b.list.name)).map((b) => b.list.id));
    }
    const chosen = this.included ? banks.filter((b) => this.included!.has(b.list.id)) : banks;
    const content = this.store.db
      .prepare('SELECT c.list_id, e.entry_id, e.content_id FROM bank_content_entries e JOIN bank_content c ON c.id = e.content_id')
      .raw()
      .all() as [number, number, number][];
    const previous = new Map((this.snapshot?.banks ?? []).map((b) => [b.listId, b]));
    let builder: Builder | null = null;
    const out: BankIndex[] = [];
    try {
      for (const bank of chosen) {
        const old = previous.get(bank.list.id);
        let signals: ReadonlyMap<string, SignalIndex>;
        if (old && old.entriesDigest === bank.list.entriesDigest) {
          signals = old.signals;
        } else {
          builder ??= new Builder();
          const built = new Map<string, SignalIndex>();
          for (const [name, count] of Object.entries(bank.list.counts)) {
            const signal = SIGNALS.get(name);
            if (!signal || count === 0) continue;
            built.set(name, await builder.build(this.opts.dbPath, bank.list.name, signal));
          }
          signals = built;
        }
        const contentOf = new Map<number, number>();
        for (const [listId, entry, id] of content) if (listId === bank.list.id) contentOf.set(entry, id);
        out.push({ listId: bank.list.id, name: bank.name, enabledRatio: bank.enabledRatio, entriesDigest: bank.list.entriesDigest, signals, contentOf });
      }
    } finally {
      await builder?.close();
    }
    this.snapshot = { banks: out, byName: new Map(out.map((b) => [b.name, b])), builtTo: Math.floor(Date.now() / 1000), storeState };
    this.opts.onSwap?.(this.snapshot);
  }
}

/** Runs index jobs on one worker thread, one at a time. */
class Builder {
  private readonly worker = new Worker(new URL('./index-worker.js', import.meta.url));

  async build(dbPath: string, list: string, signal: SignalType): Promise<SignalIndex> {
    const threshold = isPerceptual(signal) ? signal.defaultThreshold : 0;
    const job: IndexJob = { dbPath, list, signal: signal.name, radius: threshold };
    const result = await new Promise<IndexJobResult>((resolve, reject) => {
      const onError = (e: Error): void => {
        this.worker.off('exit', onExit);
        reject(e);
      };
      const onExit = (code: number): void => {
        this.worker.off('error', onError);
        reject(new Error(`the index builder thread stopped (exit code ${code})`));
      };
      this.worker.once('error', onError);
      this.worker.once('exit', onExit);
      this.worker.once('message', (r: IndexJobResult) => {
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        resolve(r);
      });
      this.worker.postMessage(job);
    });
    if (result.kind === 'error') throw new Error(result.message);
    if (result.kind === 'exact') {
      const exact = ExactDigestIndex.build({ bits: result.bits, count: result.count, bytes: result.bytes, ids: result.ids });
      return { id: nextIndexId++, signal, threshold, size: result.count, hamming: null, exact, source: { kind: 'exact', bits: result.bits, count: result.count, bytes: result.bytes, ids: result.ids } };
    }
    const hamming = restoreHamming(result.chunks);
    return { id: nextIndexId++, signal, threshold, size: result.count, hamming, exact: null, source: { kind: 'hamming', chunks: result.chunks } };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Every content within the signal's threshold in the chosen banks (all when `banks` is null),
 * once per bank, closest first. With `dihedral` (PDQ's 8 transforms), the best transform counts.
 */
export function queryBanks(
  snapshot: Snapshot,
  signal: SignalType,
  hash: Uint8Array,
  banks: ReadonlySet<string> | null,
  dihedral: Readonly<Record<string, Uint8Array>> | null = null,
): Hit[] {
  const hits: Hit[] = [];
  for (const bank of snapshot.banks) {
    if (banks && !banks.has(bank.name)) continue;
    const ix = bank.signals.get(signal.name);
    if (!ix) continue;
    let matches: { id: number; distance: number; transform?: string }[];
    if (ix.exact) {
      matches = ix.exact.query(hash);
    } else {
      const h = ix.hamming!;
      if (hash.length * 8 !== h.bits) continue;
      matches = dihedral ? queryDihedral(h, dihedral, ix.threshold) : h.query(hash, ix.threshold);
    }
    addHits(hits, bank, matches);
  }
  return sortHits(hits);
}

/** A bank's index matches as hits: entry ids mapped to content ids, each content once (its closest match first). */
export function addHits(hits: Hit[], bank: BankIndex, matches: readonly { id: number; distance: number; transform?: string }[]): void {
  const seen = new Set<number>();
  for (const m of matches) {
    const contentId = bank.contentOf.get(m.id) ?? m.id;
    if (seen.has(contentId)) continue;
    seen.add(contentId);
    hits.push(m.transform === undefined ? { bank, contentId, distance: m.distance } : { bank, contentId, distance: m.distance, transform: m.transform });
  }
}

export function sortHits(hits: Hit[]): Hit[] {
  return hits.sort((a, b) => a.distance - b.distance || a.contentId - b.contentId);
}
