import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { generateSource } from '../src/synthetic/images.js';
import { hashFile } from '../src/hash.js';
import { openStore, importList } from '../src/store/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'hashsieve.js');
/** The built CLI whose scan workers inject the faults named in HASHSIEVE_TEST_* (test/support/faulty-worker.mjs). */
export const FAULTY_BIN = join(ROOT, 'test', 'support', 'faulty-cli.mjs');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the built binary to completion. */
export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string; faulty?: boolean } = {}): CliResult {
  const r = spawnSync(process.execPath, [opts.faulty ? FAULTY_BIN : BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start the built binary; the caller decides when to signal it. */
export function startCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; faulty?: boolean } = {}) {
  const child = spawn(process.execPath, [opts.faulty ? FAULTY_BIN : BIN, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function parseNdjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/**
 * A small synthetic tree: `known.png` (the list's item) and its copies re-encoded, resized and
 * rotated; an unrelated image; a flat image (PDQ low quality); and broken files.
 */
export async function makeImageTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'copies'), { recursive: true });
  await mkdir(join(dir, 'bad'), { recursive: true });
  const known = await generateSource(11, 256, 192);
  const other = await generateSource(12, 256, 192);
  const files: Record<string, Buffer | Promise<Buffer>> = {
    'known.png': known,
    'copies/known.q50.jpg': sharp(known).jpeg({ quality: 50 }).toBuffer(),
    'copies/known.half.png': sharp(known).resize(128, 96).png().toBuffer(),
    'copies/known.rot90.png': sharp(known).rotate(90).png().toBuffer(),
    'other.png': other,
    'flat.png': sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer(),
    'bad/empty.jpg': Buffer.alloc(0),
    'bad/notes.txt': Buffer.from('not an image\n'),
  };
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), await data);
}

export interface ListEntry {
  readonly signal: string;
  readonly hash: string;
  readonly id: string;
  readonly category: string;
}

/** Import entries as a list (CSV with id and category columns) into the database at `db`. */
export async function makeList(db: string, name: string, entries: readonly ListEntry[], sourceOrg = 'Test Hotline'): Promise<void> {
  const csv = join(dirname(db), `${name}.csv`);
  const rows = entries.map((e) => `${e.signal},${e.hash},${e.id},${e.category}`);
  await writeFile(csv, `signal,hash,id,category\n${rows.join('\n')}\n`);
  const store = openStore(db);
  try {
    await importList(store, csv, {
      name,
      format: 'csv',
      columns: { signal: 'signal', hash: 'hash', id: 'id', category: 'category' },
      sourceOrg,
      version: '2026-11-28',
    });
  } finally {
    store.close();
  }
}

/** Hashes of a file as the library computes them (for building lists in tests). */
export async function hashesOf(path: string, signals: readonly string[]): Promise<Record<string, string>> {
  const r = await hashFile(path, { signals });
  return Object.fromEntries(Object.entries(r.hashes).map(([k, v]) => [k, v.hash]));
}
