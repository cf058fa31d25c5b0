import type { RecordFormatter } from '../report/formats.js';
import type { ReportSink } from '../report/sink.js';
import { addRecord, summarize } from '../report/summary.js';
import type { ScanRecord, ScanTotals } from '../report/types.js';
import type { CheckpointWriter } from './checkpoint.js';
import { recordKey } from './fs-path.js';

/** Batch size and age after which a report file is flushed (and, with a checkpoint, fsynced and recorded). */
export const FLUSH_RECORDS = 256;
export const FLUSH_INTERVAL_MS = 1000;

export interface ReportOutputOptions {
  readonly sink: ReportSink;
  readonly formatter: RecordFormatter;
  readonly onlyMatches: boolean;
  readonly checkpoint: CheckpointWriter | null;
  /** Records the report already holds (resume). */
  readonly records: number;
  /** Totals so far (resume), updated in place. */
  readonly totals: ScanTotals;
  /** Write through at every flush opportunity (stdout), rather than in batches. */
  readonly streaming: boolean;
}

/**
 * Owns the report and the checkpoint: records are buffered, then flushed in batches; with a
 * checkpoint, each flush is fsynced before the batch (its files and the report's new length)
 * is recorded.
 */
export class ReportOutput {
  private records: number;
  private pendingDone: string[] = [];
  private lastFlush = Date.now();
  private readonly startedAt = Date.now();
  private readonly baseElapsedMs: number;

  constructor(private readonly o: ReportOutputOptions) {
    this.records = o.records;
    this.baseElapsedMs = o.totals.elapsedMs;
  }

  get totals(): ScanTotals {
    return this.o.totals;
  }

  /** Start a new report (not on resume). */
  begin(): void {
    this.o.sink.write(this.o.formatter.begin());
  }

  add(record: ScanRecord): void {
    addRecord(this.o.totals, record);
    if (!this.o.onlyMatches || record.status === 'match') {
      this.o.sink.write(this.o.formatter.record(record, this.records));
      this.records += 1;
    }
    this.pendingDone.push(recordKey(record));
  }

  async maybeFlush(): Promise<void> {
    const due = this.o.streaming
      ? this.pendingDone.length > 0
      : this.pendingDone.length >= FLUSH_RECORDS || (this.pendingDone.length > 0 && Date.now() - this.lastFlush >= FLUSH_INTERVAL_MS);
    if (due) await this.flush();
  }

  async flush(): Promise<void> {
    this.o.totals.elapsedMs = this.baseElapsedMs + (Date.now() - this.startedAt);
    await this.o.sink.flush(this.o.checkpoint !== null);
    if (this.o.checkpoint && this.pendingDone.length > 0) {
      this.o.checkpoint.append({
        type: 'batch',
        reportBytes: this.o.sink.bytes,
        records: this.records,
        totals: this.o.totals,
        done: this.pendingDone,
      });
    }
    this.pendingDone = [];
    this.lastFlush = Date.now();
  }

  /** Flush what is left; a complete scan also gets the format's ending (JSON's closing bracket and summary). */
  async finish(complete: boolean): Promise<void> {
    await this.flush();
    if (complete) {
      this.o.sink.write(this.o.formatter.end(summarize(this.o.totals, false)));
    }
    await this.o.sink.close();
    this.o.checkpoint?.close();
  }
}
