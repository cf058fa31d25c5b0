import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ lstat: 0, stat: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    lstatSync: ((...a: Parameters<typeof fs.lstatSync>) => (calls.lstat++, fs.lstatSync(...a))) as typeof fs.lstatSync,
    statSync: ((...a: Parameters<typeof fs.statSync>) => (calls.stat++, fs.statSync(...a))) as typeof fs.statSync,
  };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return { ...fs, stat: ((...a: Parameters<typeof fs.stat>) => (calls.stat++, fs.stat(...a))) as typeof fs.stat };
});

const { default: hashTask } = await import('./worker.js');
const { DEFAULT_HASH_OPTIONS } = await import('../signals/types.js');

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-worker-'));
const image = join(dir, 'a.png');
copyFileSync(fileURLToPath(new URL('../../fixtures/images/a.png', import.meta.url)), image);
symlinkSync(image, join(dir, 'link.png'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const task = (path: string) => ({ path, signals: ['sha256', 'pdq'], options: DEFAULT_HASH_OPTIONS, limits: {}, stat: true });

describe('scan worker', () => {
  beforeEach(() => {
    calls.lstat = 0;
    calls.stat = 0;
  });

  it('stats a file the walk did not stat once (its lstat), and reports that size and mtime', async () => {
    const r = (await hashTask(task(image)))!;
    expect(calls).toEqual({ lstat: 1, stat: 0 });
    expect(r.error).toBeUndefined();
    expect(r.stat?.size).toBe(r.size);
    expect(r.hashes.pdq).toBeDefined();
  });

  it('a symbolic link is still hashed through a stat of what it points at', async () => {
    const r = (await hashTask(task(join(dir, 'link.png'))))!;
    expect(calls).toEqual({ lstat: 1, stat: 1 });
    expect(r.hashes.pdq).toBeDefined();
  });

  it('a missing file: one lstat, an UNREADABLE row, stat null', async () => {
    const r = (await hashTask(task(join(dir, 'gone.png'))))!;
    expect(r).toMatchObject({ stat: null, error: { code: 'UNREADABLE' } });
    expect(calls.lstat).toBe(1);
  });
});
