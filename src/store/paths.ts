import { closeSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const DB_ENV = 'HASHSIEVE_DB';
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** `--db PATH` > $HASHSIEVE_DB > $XDG_DATA_HOME/hashsieve/lists.db > ~/.local/share/hashsieve/lists.db */
export function resolveDbPath(opts: { db?: string } = {}, env: NodeJS.ProcessEnv = process.env): string {
  if (opts.db) return resolve(opts.db);
  if (env[DB_ENV]) return resolve(env[DB_ENV] as string);
  const dataHome = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(dataHome, 'hashsieve', 'lists.db');
}

/**
 * Make sure the database file exists: missing folders are created 0700, a new file 0600
 * (SQLite gives its -wal and -shm files the database file's mode). Existing ones are left as they are.
 */
export function ensureDbFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  try {
    closeSync(openSync(path, 'wx', FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
