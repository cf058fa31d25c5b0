import type Database from 'better-sqlite3';
import { HashFormatError } from '../errors.js';
import { SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import { displayName, type EntrySink } from './formats/types.js';
import { encodeTags } from './store.js';

const MAX_SKIP_REASONS = 20;
/** Entries without id, category or tags are staged this many at a time, as one BLOB SQLite splits. */
const BATCH_ROWS = 4096;
const STAGE_ONE = 'INSERT INTO temp.import_staging VALUES (?, ?, ?, ?, ?)';
const STAGE_BATCH = `INSERT INTO temp.import_staging
  SELECT @signal, substr(@hashes, i * @width + 1, @width), '', '', ''
  FROM (WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @n) SELECT i FROM s)`;
const OTHER_REASONS = 'other reasons';

/** An invalid line or record while importing without skipInvalid. */
export class LineRejected extends Error {
  constructor(
    readonly pos: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function normaliseTags(tags: readonly string[]): string[] {
  if (tags.length === 0) return [];
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].sort();
}

/**
 * Where the formats deliver entries during an import: each hash is parsed by its signal and the
 * entry written to the staging table; problems either reject the file or are counted by reason.
 */
export class StagingSink implements EntrySink {
  readonly skipped: Record<string, number> = {};
  readonly notes: Record<string, number> = {};
  rows = 0;
  private readonly signals = new Map<string, SignalType | null>();
  private readonly stageOne: Database.Statement;
  private readonly stageBatch: Database.Statement;
  private batchSignal = '';
  private batchWidth = 0;
  private batch = Buffer.alloc(0);
  private batchCount = 0;

  /** The staging table must exist (see import.ts). */
  constructor(
    db: Database.Database,
    private readonly skipInvalid: boolean,
    private readonly afterInsert?: (rows: number) => void,
  ) {
    this.stageOne = db.prepare(STAGE_ONE);
    this.stageBatch = db.prepare(STAGE_BATCH);
  }

  entry(pos: number, signalName: string, hex: string, externalId: string | null, category: string | null, tags: readonly string[]): void {
    const sig = this.signal(signalName);
    if (!sig) {
      const shown = displayName(signalName);
      this.problem(pos, shown ? `unknown signal type "${shown}"` : 'unknown signal type');
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
    if (externalId === null && category === null && tags.length === 0) {
      this.batched(sig.name, hash);
    } else {
      this.stageOne.run(
        sig.name,
        Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength),
        externalId ?? '',
        category ?? '',
        encodeTags(normaliseTags(tags)),
      );
    }
    this.rows++;
    this.afterInsert?.(this.rows);
  }

  /** Stage what is still batched; call once the file is read. */
  flush(): void {
    if (this.batchCount === 0) return;
    this.stageBatch.run({
      signal: this.batchSignal,
      hashes: this.batch.subarray(0, this.batchCount * this.batchWidth),
      width: this.batchWidth,
      n: this.batchCount,
    });
    this.batchCount = 0;
  }

  private batched(signal: string, hash: Uint8Array): void {
    if (signal !== this.batchSignal || hash.byteLength !== this.batchWidth) {
      this.flush();
      this.batchSignal = signal;
      this.batchWidth = hash.byteLength;
      this.batch = Buffer.alloc(BATCH_ROWS * hash.byteLength);
    }
    this.batch.set(hash, this.batchCount * this.batchWidth);
    if (++this.batchCount === BATCH_ROWS) this.flush();
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
