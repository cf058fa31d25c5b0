import type { Dirent, Stats } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import type { FileErrorInfo } from '../errors.js';
import type { SkipReason } from '../report/types.js';

export interface WalkOptions {
  /** Follow symlinks met inside directories (paths named on the command line are always followed). */
  readonly followSymlinks: boolean;
  /** Globs a file found in a directory must match (any of them); empty = all. */
  readonly include: readonly string[];
  /** Globs that drop files and prune directories found in a directory. */
  readonly exclude: readonly string[];
  /** Files larger than this many bytes are skipped; null = no limit. */
  readonly maxFileSize: number | null;
  /**
   * Yield a file whose directory entry says "regular file" without an lstat of its own (size and
   * mtime null): for a caller whose worker stats the file as it reads it (scan). An lstat on the
   * main thread costs ~40-60 µs of CPU through libuv's thread pool, the walk's largest per-file
   * cost. Ignored when maxFileSize is set (the size is needed here) or the entry type is unknown.
   */
  readonly lazyStat?: boolean;
}

export type WalkItem =
  /** size and mtimeMs are null only with `lazyStat`: the file was not stat'ed by the walk. */
  | { readonly kind: 'file'; readonly path: string; readonly size: number | null; readonly mtimeMs: number | null }
  | {
      readonly kind: 'skip';
      readonly path: string;
      readonly size: number | null;
      readonly mtimeMs: number | null;
      readonly reason: SkipReason;
      readonly message: string;
    }
  | { readonly kind: 'error'; readonly path: string; readonly error: FileErrorInfo };

/** Globs match the path relative to the input directory, `/`-separated; a glob without `/` matches the base name. */
function matcher(globs: readonly string[]): ((rel: string) => boolean) | null {
  return globs.length === 0 ? null : picomatch([...globs], { dot: true, basename: true });
}

function errorMessage(e: unknown): FileErrorInfo {
  const code = (e as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    ELOOP: 'Too many levels of symbolic links',
    ENAMETOOLONG: 'File name too long',
    EIO: 'Input/output error',
  };
  return { code: 'UNREADABLE', message: (code && reasons[code]) ?? `Cannot read (${code ?? 'unknown error'})` };
}

function specialKind(s: Stats | Dirent): { reason: SkipReason; message: string } | null {
  if (s.isFIFO()) return { reason: 'fifo', message: 'A FIFO (named pipe), not a regular file' };
  if (s.isSocket()) return { reason: 'socket', message: 'A socket, not a regular file' };
  if (s.isBlockDevice() || s.isCharacterDevice()) return { reason: 'device', message: 'A device, not a regular file' };
  return null;
}

/**
 * Walk inputs lazily (one open directory per level, entries streamed), yielding regular files
 * with their size and mtime, and a reason for everything not hashed. Never opens a file.
 */
export async function* walk(inputs: AsyncIterable<string> | Iterable<string>, opts: WalkOptions): AsyncGenerator<WalkItem> {
  const include = matcher(opts.include);
  const exclude = matcher(opts.exclude);
  const visitedDirs = new Set<string>();
  const lazyStat = opts.lazyStat === true && opts.maxFileSize === null;

  function fileItem(path: string, s: Stats): WalkItem {
    if (opts.maxFileSize !== null && s.size > opts.maxFileSize) {
      return {
        kind: 'skip',
        path,
        size: s.size,
        mtimeMs: s.mtimeMs,
        reason: 'too_large',
        message: `Larger than the maximum file size (${s.size} > ${opts.maxFileSize} bytes)`,
      };
    }
    return { kind: 'file', path, size: s.size, mtimeMs: s.mtimeMs };
  }

  /** Returns false when this directory was already entered (a symlink loop or a second link to it). */
  function enter(s: Stats): boolean {
    if (!opts.followSymlinks) return true;
    const key = `${s.dev}:${s.ino}`;
    if (visitedDirs.has(key)) return false;
    visitedDirs.add(key);
    return true;
  }

  async function* directory(dir: string, root: string): AsyncGenerator<WalkItem> {
    let handle;
    try {
      handle = await opendir(dir);
    } catch (e) {
      yield { kind: 'error', path: dir, error: errorMessage(e) };
      return;
    }
    const entries = handle[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Dirent>;
        try {
          next = await entries.next();
        } catch (e) {
          yield { kind: 'error', path: dir, error: errorMessage(e) };
          return;
        }
        if (next.done) return;
        const path = join(dir, next.value.name);
        const rel = relative(root, path).split(sep).join('/');
        if (exclude?.(rel)) continue;
        if (include && next.value.isFile() && !include(rel)) continue;
        if (lazyStat && next.value.isFile()) {
          yield { kind: 'file', path, size: null, mtimeMs: null };
          continue;
        }
        yield* entry(path, rel, root);
      }
    } finally {
      await entries.return?.().catch(() => undefined);
    }
  }

  async function* entry(path: string, rel: string, root: string): AsyncGenerator<WalkItem> {
    let s: Stats;
    try {
      s = await lstat(path);
    } catch (e) {
      yield { kind: 'error', path, error: errorMessage(e) };
      return;
    }
    if (s.isSymbolicLink()) {
      if (!opts.followSymlinks) {
        yield { kind: 'skip', path, size: null, mtimeMs: s.mtimeMs, reason: 'symlink', message: 'A symbolic link, not followed (following symbolic links is off)' };
        return;
      }
      try {
        s = await stat(path);
      } catch (e) {
        const loop = (e as NodeJS.ErrnoException).code === 'ELOOP';
        yield {
          kind: 'skip',
          path,
          size: null,
          mtimeMs: null,
          reason: loop ? 'symlink_loop' : 'broken_symlink',
          message: loop ? 'A symbolic link loop' : 'A symbolic link whose target does not exist',
        };
        return;
      }
    }
    if (s.isDirectory()) {
      if (!enter(s)) {
        yield { kind: 'skip', path, size: null, mtimeMs: s.mtimeMs, reason: 'symlink_loop', message: 'A directory already scanned (symbolic link loop or second link)' };
        return;
      }
      yield* directory(path, root);
      return;
    }
    const special = specialKind(s) ?? (s.isFile() ? null : { reason: 'other' as const, message: 'Not a regular file' });
    if (special) {
      yield { kind: 'skip', path, size: null, mtimeMs: s.mtimeMs, ...special };
      return;
    }
    if (include && !include(rel)) return;
    yield fileItem(path, s);
  }

  for await (const input of inputs) {
    let s: Stats;
    try {
      s = await stat(input);
    } catch (e) {
      yield { kind: 'error', path: input, error: errorMessage(e) };
      continue;
    }
    if (s.isDirectory()) {
      if (enter(s)) yield* directory(input, input);
      continue;
    }
    const special = specialKind(s);
    if (special) yield { kind: 'skip', path: input, size: null, mtimeMs: s.mtimeMs, ...special };
    else if (!s.isFile()) yield { kind: 'error', path: input, error: { code: 'NOT_A_FILE', message: 'Not a regular file' } };
    else yield fileItem(input, s);
  }
}
