import { closeSync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Where report text goes. Text is buffered until flush(). */
export interface ReportSink {
  /** Bytes the report holds once everything written so far is flushed. */
  readonly bytes: number;
  write(text: string): void;
  /** Push buffered text out; `durable` also fsyncs a file (needed before a checkpoint records the length). */
  flush(durable: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Reports are metadata, but about sensitive material: readable by the owner only. */
const REPORT_FILE_MODE = 0o600;

/**
 * A report file. With `resumeAt` the file is cut back to that many bytes (what the last
 * checkpoint recorded) and writing continues there; otherwise it is created or emptied.
 */
export function fileSink(path: string, resumeAt: number | null): ReportSink {
  const fd = openSync(path, resumeAt === null ? 'w' : 'r+', REPORT_FILE_MODE);
  if (resumeAt !== null) ftruncateSync(fd, resumeAt);
  let position = resumeAt ?? 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  let closed = false;
  const flushSync = (durable: boolean): void => {
    if (pending.length > 0) {
      const buf = Buffer.from(pending.join(''), 'utf8');
      pending = [];
      pendingBytes = 0;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position + off);
      position += buf.length;
    }
    if (durable) fdatasyncSync(fd);
  };
  return {
    get bytes() {
      return position + pendingBytes;
    },
    write(text) {
      pending.push(text);
      pendingBytes += Buffer.byteLength(text, 'utf8');
    },
    async flush(durable) {
      flushSync(durable);
    },
    async close() {
      if (closed) return;
      closed = true;
      flushSync(true);
      closeSync(fd);
    },
  };
}

/**
 * stdout (or any stream): written through at each flush, respecting backpressure. When the
 * reader goes away (EPIPE, as with `| head`), further text is dropped and `onClosed` is called.
 */
export function streamSink(stream: Writable, onClosed: () => void = () => {}): ReportSink {
  let pending: string[] = [];
  let bytes = 0;
  let closed = false;
  stream.on('error', () => {
    if (closed) return;
    closed = true;
    onClosed();
  });
  const drain = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('error', done);
      stream.on('close', done);
    });
  return {
    get bytes() {
      return bytes;
    },
    write(text) {
      pending.push(text);
      bytes += Buffer.byteLength(text, 'utf8');
    },
    async flush() {
      if (pending.length === 0) return;
      const text = pending.join('');
      pending = [];
      if (closed) return;
      if (!stream.write(text)) await drain();
    },
    async close() {
      await this.flush(false);
    },
  };
}
