import { closeSync, openSync, readSync } from 'node:fs';

/**
 * CPU time of the calling process's main thread, in ms, from Linux's per-thread schedstat (its
 * first field is the thread's time on a CPU, in ns); null where that file cannot be read. One
 * pread of an fd kept open, so it can be read once per file without adding much to what it measures.
 */
export function mainThreadCpuClock(): { read(): number | null; close(): void } {
  let fd: number | null = null;
  try {
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  } catch {
    fd = null;
  }
  const buf = Buffer.alloc(128);
  return {
    read() {
      if (fd === null) return null;
      try {
        const n = readSync(fd, buf, 0, buf.length, 0);
        const ns = Number(buf.toString('latin1', 0, n).split(' ')[0]);
        return Number.isFinite(ns) ? ns / 1e6 : null;
      } catch {
        return null;
      }
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
