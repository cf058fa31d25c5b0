import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MultiIndexHash } from '../search/mih.js';
import type { PackedHashes } from '../types.js';

/**
 * An on-disk cache of built Hamming indexes (`--index-cache DIR`), for scans that start often
 * against the same large lists: restoring a 10M-hash index is a file read instead of a rebuild
 * (figures in docs/benchmarks.md). Off unless asked for, since
 * each file is a copy of the lists' hashes and ids (never their categories or external ids).
 *
 * A file is named by a key over the very hashes, ids and radius it indexes, so a list that
 * changed in any way gets a new file; it ends with a CRC-32 of everything before it (against
 * damage on disk; 2.7 GB/s here, where a cryptographic digest of a 1.3 GB file took 6 s), and a file
 * that fails that check is deleted and rebuilt with a warning; one in an older index format is
 * deleted and rebuilt quietly. Files are 0600 in a 0700
 * folder, written to a temporary name and renamed; the newest KEEP_FILES are kept.
 */

const KEY_DOMAIN = 'hashsieve-index-cache-v1';
const SUFFIX = '.mih';
const KEEP_FILES = 8;
const TRAILER_BYTES = 4;
/** sha512/256 runs about twice as fast as sha256 on CPUs without SHA instructions (this one: 400 vs 220 MB/s). */
const KEY_HASH = 'sha512-256';

export interface CachedIndex {
  readonly index: MultiIndexHash;
  readonly source: 'cache' | 'built';
  /** Why the cache could not be written or read (the index was built and works regardless). */
  readonly warning: string | null;
}

export function indexKey(packed: PackedHashes, radius: number): string {
  return createHash(KEY_HASH)
    .update(`${KEY_DOMAIN}\n${packed.bits}\n${packed.count}\n${radius}\n`)
    .update(packed.bytes)
    .update(new Uint8Array(packed.ids.buffer, packed.ids.byteOffset, packed.ids.byteLength))
    .digest('hex');
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? (err instanceof Error ? err.message : String(err));
}

/** The index for `packed` tuned for `radius`: restored from `dir` when a good copy is there, else built and saved. */
export function cachedHammingIndex(packed: PackedHashes, radius: number, dir: string): CachedIndex {
  const key = indexKey(packed, radius);
  const file = join(dir, `${key.slice(0, 40)}${SUFFIX}`);
  let warning: string | null = null;
  try {
    const restored = restore(file, key);
    if (restored) return { index: restored, source: 'cache', warning: null };
  } catch (err) {
    warning = `could not read the index cache ${file} (${errorText(err)}); rebuilding it`;
    try {
      rmSync(file, { force: true });
    } catch {
      // Saving below fails the same way and says so.
    }
  }
  const index = MultiIndexHash.build(packed, { radius });
  try {
    save(file, index.serialize(key));
    prune(dir);
  } catch (err) {
    warning = `could not write the index cache in ${dir} (${errorText(err)}); the scan goes on without it`;
  }
  return { index, source: 'built', warning };
}

function restore(file: string, key: string): MultiIndexHash | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
  try {
    let crc = 0;
    const readExact = (dst: Uint8Array): void => {
      for (let at = 0; at < dst.length; ) {
        const n = readSync(fd, dst, at, dst.length - at, null);
        if (n === 0) throw new Error('truncated');
        at += n;
      }
    };
    const index = MultiIndexHash.restore((dst) => {
      readExact(dst);
      crc = crc32(dst, crc);
    }, key);
    if (!index) {
      rmSync(file, { force: true });
      return null;
    }
    const trailer = Buffer.alloc(TRAILER_BYTES);
    readExact(trailer);
    if (trailer.readUInt32LE(0) !== crc) throw new Error('checksum mismatch');
    const now = new Date();
    utimesSync(file, now, now);
    return index;
  } finally {
    closeSync(fd);
  }
}

function save(file: string, chunks: readonly Uint8Array[]): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  const writeAll = (bytes: Uint8Array): void => {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  };
  try {
    let crc = 0;
    for (const c of chunks) {
      crc = crc32(c, crc);
      writeAll(c);
    }
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.writeUInt32LE(crc, 0);
    writeAll(trailer);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/** Keep the KEEP_FILES most recently used index files. */
function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => ({ path: join(dir, f), used: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const f of files.slice(KEEP_FILES)) rmSync(f.path, { force: true });
}
