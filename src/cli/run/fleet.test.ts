import { describe, expect, test } from 'vitest';
import { formatStatus } from './fleet.js';

describe('fleet status', () => {
  test('lists workers and each scan with its batches by state; a scan without coordinator says since when', () => {
    const text = formatStatus({
      redis: 'unix:/run/r.sock',
      workers: [{ id: 'w1', host: 'hasher-1', pid: 41, threads: 8, decode: true, startedAt: '', files: 1200, filesPerSecond: 790, scans: ['ab'] }],
      scans: [
        { id: 'ab', coordinator: { host: 'coord', pid: 7 }, filesDone: 5000, live: true, lastSeen: '2026-12-05T07:00:00.000Z', batches: { waiting: 12, active: 2, done: 3, failed: 1 } },
        { id: 'cd', coordinator: { host: null, pid: null }, filesDone: 0, live: false, lastSeen: '2026-12-05T06:00:00.000Z', batches: { waiting: 4, active: 0, done: 0, failed: 0 } },
      ],
    });
    expect(text).toContain('1 worker(s)');
    expect(text).toMatch(/hasher-1\s+41\s+8\s+1200\s+790\s+1/);
    expect(text).toMatch(/ab\s+coord:7\s+5000\s+12\s+2\s+3\s+1\s+running/);
    expect(text).toMatch(/cd\s+\?:\?\s+0\s+4\s+0\s+0\s+0\s+no coordinator since 2026-12-05T06:00:00.000Z/);
  });
});
