import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

/** The built library (the service's hash pool and index builder run dist/ worker files). */
export const lib = await import(new URL('../dist/src/index.js', import.meta.url).href);

export const FIXTURES = new URL('../fixtures/images/', import.meta.url);

export function tempDb(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-serve-'));
  return { dir, db: join(dir, 'lists.db') };
}

/** Import a bare-hash text list through the library. */
export async function importHashes(db: string, name: string, signal: string, hashes: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-serve-list-'));
  const file = join(dir, 'list.txt');
  writeFileSync(file, hashes.join('\n') + '\n');
  const store = lib.openStore(db);
  try {
    await lib.importList(store, file, { name, signal, format: 'text' });
  } finally {
    store.close();
  }
}

export function createToken(db: string, name: string, scopes: string[]): string {
  const store = lib.openStore(db);
  try {
    return new lib.TokenStore(store.db).create(name, scopes).token;
  } finally {
    store.close();
  }
}

export function revokeToken(db: string, name: string): void {
  const store = lib.openStore(db);
  try {
    new lib.TokenStore(store.db).revoke(name);
  } finally {
    store.close();
  }
}

/** A pino destination that keeps every log line. */
export function logSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

/** Poll until fn() is true (the index swap happens in the background). */
export async function until(fn: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
