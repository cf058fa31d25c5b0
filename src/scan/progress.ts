import type { Writable } from 'node:stream';
import { formatBytes } from '../report/summary.js';
import type { ScanTotals } from '../report/types.js';

const REDRAW_MS = 200;

/** A live status line on a terminal's stderr: done of total, files/s, matches, errors, ETA. */
export class Progress {
  private lastDraw = 0;
  private total: number | null = null;
  private readonly startedAt = Date.now();
  private readonly startFiles: number;

  constructor(
    private readonly stream: Writable,
    private readonly totals: ScanTotals,
  ) {
    this.startFiles = totals.files;
  }

  /** The number of files the scan will see, once the count-ahead walk has finished. */
  setTotal(n: number): void {
    this.total = n;
  }

  tick(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const t = this.totals;
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? (t.files - this.startFiles) / seconds : 0;
    const done = this.total !== null ? `${t.files}/${this.total}` : `${t.files}`;
    let eta = '';
    if (this.total !== null && rate > 0 && this.total > t.files) eta = `, ETA ${formatDuration((this.total - t.files) / rate)}`;
    const line = `${done} files, ${formatBytes(t.bytes)}, ${rate.toFixed(1)} files/s, ${t.statuses.match} matched, ${t.statuses.error} errors${eta}`;
    this.stream.write(`\r\x1b[K${line}`);
  }

  clear(): void {
    this.stream.write('\r\x1b[K');
  }
}

function formatDuration(s: number): string {
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
