import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/store.js';

/** Deterministic, benign test hashes: sha256 of a label, repeated/truncated to `bits`. */
export function fakeHex(bits: number, label: string | number): string {
  let out = '';
  let i = 0;
  while (out.length < bits / 4) out += createHash('sha256').update(`${label}/${i++}`).digest('hex');
  return out.slice(0, bits / 4);
}

export function tempDir(prefix = 'hashsieve-store-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Every row of every table, blobs as hex: equal dumps mean logically equal databases. */
export function dumpStore(store: Store): string {
  const db = store.db;
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const out: Record<string, unknown> = {
    user_version: db.pragma('user_version', { simple: true }),
    schema: db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all(),
  };
  for (const t of tables) {
    out[t] = db
      .prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`)
      .all()
      .map((r) =>
        Object.fromEntries(
          Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v]),
        ),
      );
  }
  return JSON.stringify(out);
}

/** sha256 of the main database file after folding the WAL into it. */
export function fileDigestAfterCheckpoint(store: Store): string {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  return createHash('sha256').update(readFileSync(store.path)).digest('hex');
}
