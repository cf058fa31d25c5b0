import { closeSync, createReadStream, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { emptyTotals } from '../report/summary.js';
import type { ScanTotals } from '../report/types.js';

/**
 * The checkpoint is an append-only NDJSON log beside (never inside) the scanned tree:
 *   {"type":"header", ...}                      once, first
 *   {"type":"batch","reportBytes":N,...,"done":[keys]} (fs-path.ts pathKey)   after each durable report flush
 *   {"type":"resume","at":ISO}                  each time a scan is resumed
 * A batch line is written only after the report bytes it counts are fsynced, so on resume the
 * report is cut back to the last batch's length and every file not in a batch is done again:
 * a crash anywhere can neither lose nor duplicate a record. A torn last line is ignored.
 */
export interface CheckpointHeader {
  readonly type: 'header';
  readonly version: 1;
  readonly startedAt: string;
  /** Absolute path of the report this checkpoint describes. */
  readonly report: string;
  /** The options that shape the report; resume refuses if they differ. */
  readonly scan: Readonly<Record<string, unknown>>;
}

export interface CheckpointBatch {
  readonly type: 'batch';
  readonly reportBytes: number;
  readonly records: number;
  readonly totals: ScanTotals;
  readonly done: readonly string[];
}

export interface CheckpointState {
  readonly header: CheckpointHeader;
  readonly done: Set<string>;
  readonly reportBytes: number;
  readonly records: number;
  readonly totals: ScanTotals;
  readonly resumedAt: string[];
  /** Bytes of the checkpoint file up to the last complete line. */
  readonly validBytes: number;
}

const CHECKPOINT_FILE_MODE = 0o600;

export async function readCheckpoint(path: string): Promise<CheckpointState> {
  let header: CheckpointHeader | null = null;
  const done = new Set<string>();
  const resumedAt: string[] = [];
  let last: CheckpointBatch | null = null;
  let validBytes = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    let parsed: { type?: string } | null = null;
    try {
      parsed = JSON.parse(line) as { type?: string };
    } catch {
      break;
    }
    if (header === null) {
      if (parsed?.type !== 'header' || (parsed as CheckpointHeader).version !== 1) {
        throw new UsageError(`${path} is not a hashsieve scan checkpoint`);
      }
      header = parsed as CheckpointHeader;
    } else if (parsed?.type === 'batch') {
      last = parsed as CheckpointBatch;
      for (const p of last.done) done.add(p);
    } else if (parsed?.type === 'resume') {
      resumedAt.push((parsed as { at: string }).at);
    }
    validBytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  if (header === null) throw new UsageError(`${path} is empty or not a hashsieve scan checkpoint`);
  return {
    header,
    done,
    reportBytes: last?.reportBytes ?? 0,
    records: last?.records ?? 0,
    totals: last?.totals ?? emptyTotals(),
    resumedAt,
    validBytes,
  };
}

/** Differences between the options a checkpoint was made with and the ones given now. */
export function compareScanOptions(saved: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(now)]);
  return [...keys].filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
}

export class CheckpointWriter {
  private constructor(private readonly fd: number) {}

  static create(path: string, header: CheckpointHeader): CheckpointWriter {
    const fd = openSync(path, 'wx', CHECKPOINT_FILE_MODE);
    const w = new CheckpointWriter(fd);
    w.append(header);
    return w;
  }

  /** Continue a checkpoint read by readCheckpoint: drop a torn last line, note the resume. */
  static resume(path: string, state: CheckpointState, at: string): CheckpointWriter {
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, state.validBytes);
    const w = new CheckpointWriter(fd);
    w.position = state.validBytes;
    w.append({ type: 'resume', at });
    return w;
  }

  private position = 0;

  append(record: CheckpointHeader | CheckpointBatch | { type: 'resume'; at: string }): void {
    const buf = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, this.position + off);
    this.position += buf.length;
    fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
