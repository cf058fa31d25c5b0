import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, normalize, resolve } from 'node:path';
import type { FileErrorInfo } from '../errors.js';
import type { SkipReason } from '../report/types.js';
import { joinName, nameText, pathKey, showPath, type FsPath } from './fs-path.js';
import { PathFilter, ROOT_STATE, type FilterState } from './globs.js';

export interface WalkOptions {
  /** Follow symlinks met inside directories (paths named on the command line are always followed). */
  readonly followSymlinks: boolean;
  /** Globs a file found in a directory must match (docs/scan-inputs.md); empty = all. */
  readonly include: readonly string[];
  /** Globs that drop files and prune directories found in a directory. */
  readonly exclude: readonly string[];
  /** Files larger than this many bytes are skipped; null = no limit. */
  readonly maxFileSize: number | null;
  /**
   * Yield a file whose directory entry says "regular file" without an lstat of its own (size and
   * mtime null): for a caller whose worker stats the file as it reads it (scan). Ignored when
   * the walk needs every file's identity: more than one input (or inputs streamed), symlinks
   * followed, or maxFileSize set.
   */
  readonly lazyStat?: boolean;
  /** Files never walked: the caller's own outputs (report, checkpoint, summary, manifest). */
  readonly ownOutputs?: readonly string[];
  /** Counts kept while walking, for the caller to read afterwards. */
  readonly counters?: WalkCounters;
}

export interface WalkCounters {
  /** Entries an include or exclude glob dropped (a pruned folder counts once). */
  filtered: number;
  /** Regular files yielded to be hashed. */
  files: number;
}

export type WalkItem =
  /** size and mtimeMs are null only with `lazyStat`: the file was not stat'ed by the walk. */
  | { readonly kind: 'file'; readonly path: FsPath; readonly size: number | null; readonly mtimeMs: number | null }
  | {
      readonly kind: 'skip';
      readonly path: FsPath;
      readonly size: number | null;
      readonly mtimeMs: number | null;
      readonly reason: SkipReason;
      readonly message: string;
    }
  | { readonly kind: 'error'; readonly path: FsPath; readonly error: FileErrorInfo };

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

function specialKind(s: Stats | Dirent<Buffer>): { reason: SkipReason; message: string } | null {
  if (s.isFIFO()) return { reason: 'fifo', message: 'A FIFO (named pipe), not a regular file' };
  if (s.isSocket()) return { reason: 'socket', message: 'A socket, not a regular file' };
  if (s.isBlockDevice() || s.isCharacterDevice()) return { reason: 'device', message: 'A device, not a regular file' };
  return null;
}

const identity = (s: Stats): string => `${s.dev}:${s.ino}`;
const byBytes = (a: Dirent<Buffer>, b: Dirent<Buffer>): number => Buffer.compare(a.name, b.name);

/** An input as given, normalized as path.join would (`./a/` and `a` are one path); bytes lose only trailing slashes. */
function normalizeInput(p: FsPath): FsPath {
  if (typeof p === 'string') {
    const n = normalize(p);
    return n.length > 1 ? n.replace(/\/+$/, '') || '/' : n;
  }
  let end = p.length;
  while (end > 1 && p[end - 1] === 0x2f) end--;
  return p.subarray(0, end);
}

/** The last component of an input, as text. */
function lastName(p: FsPath): string {
  return typeof p === 'string' ? p.slice(p.lastIndexOf('/') + 1) : nameText(p.subarray(p.lastIndexOf(0x2f) + 1));
}

/** The last components of the inputs and of their real paths (an input may be a link to a file in another input). */
async function inputNames(inputs: readonly FsPath[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const p of inputs) {
    names.add(lastName(normalizeInput(p)));
    const real = await realpath(p).catch(() => null);
    if (real !== null) names.add(lastName(real));
  }
  return names;
}

/** FNV-1a, 32 bits, over a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Absolute form of a path, to tell two routes to one file apart from one path named twice. */
function absolute(p: FsPath): string {
  if (typeof p === 'string') return isAbsolute(p) ? normalize(p) : resolve(p);
  return pathKey(p[0] === 0x2f ? p : Buffer.concat([Buffer.from(`${process.cwd()}/`), p]));
}

/**
 * Walk inputs lazily, folder by folder, each folder's entries in byte order of their names,
 * yielding regular files (with size and mtime unless lazyStat) and a reason for everything not
 * hashed. Names are read as bytes, so a name that is not UTF-8 is still reached (FsPath).
 *
 * Each file and folder is walked once: a folder (or, when identities are tracked, a file)
 * reached again by another route — overlapping inputs, a followed symbolic link — is a
 * `duplicate` skip naming the first route, or nothing at all when it is the same path named
 * twice. A folder that is its own ancestor on the current route is a `symlink_loop`. Never opens
 * a file.
 */
export async function* walk(inputs: AsyncIterable<FsPath> | Iterable<FsPath>, opts: WalkOptions): AsyncGenerator<WalkItem> {
  const filter = new PathFilter(opts.include, opts.exclude);
  const counters = opts.counters ?? { filtered: 0, files: 0 };
  /** Folders entered so far (dev:ino → first path), and those on the current route. */
  const folders = new Map<string, FsPath>();
  const route = new Set<string>();
  /**
   * Files reached so far, by device then inode (numbers, compact), with the first path when the
   * tracked set is small (a fixed list of inputs); streamed inputs and followed links can track
   * millions of files, so there only a 32-bit hash of the first path is kept (enough to tell the
   * same path named twice, which gets no row, from another route, which gets a duplicate row).
   */
  const files = new Map<number, Map<number, FsPath | number>>();
  const known = Array.isArray(inputs) ? (inputs as readonly FsPath[]) : null;
  const trackFiles = opts.followSymlinks || known === null || known.length > 1;
  /**
   * With a fixed list of inputs and no links followed, a file inside a folder can be reached a
   * second time only as an input named on its own (folders are always checked): only files
   * bearing the name of an input (or of its target) need their identity, the rest stay lazy.
   */
  const watched = known !== null && !opts.followSymlinks ? await inputNames(known) : null;
  const tracked = (name: string): boolean => trackFiles && (watched === null || watched.has(name));
  const lazyStat = opts.lazyStat === true && opts.maxFileSize === null && watched !== null;

  const own = (opts.ownOutputs ?? []).map((p) => resolve(p));
  const ownNames = new Set(own.map((p) => p.slice(p.lastIndexOf('/') + 1)));
  const ownIds = new Set<string>();
  for (const p of own) {
    const s = await stat(p).catch(() => null);
    if (s) ownIds.add(identity(s));
  }
  const isOwnOutput = (path: FsPath, name: string, s: Stats | null): boolean =>
    (ownNames.has(name) && typeof path === 'string' && own.includes(absolute(path))) || (s !== null && ownIds.has(identity(s)));

  function fileItem(path: FsPath, s: Stats): WalkItem {
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
    counters.files += 1;
    return { kind: 'file', path, size: s.size, mtimeMs: s.mtimeMs };
  }

  /** A second arrival at something already walked: nothing for the same path, else a duplicate skip. */
  function again(path: FsPath, first: FsPath | number, s: Stats, what: string): WalkItem | null {
    if (typeof first === 'number' ? first === fnv1a(absolute(path)) : absolute(first) === absolute(path)) return null;
    return {
      kind: 'skip',
      path,
      size: s.isFile() ? s.size : null,
      mtimeMs: s.mtimeMs,
      reason: 'duplicate',
      message:
        typeof first !== 'number'
          ? `The same ${what} as ${showPath(first)}, reported there`
          : `The same ${what} (device ${s.dev}, inode ${s.ino}) as a path reported earlier`,
    };
  }

  /** A regular file with its stats: a duplicate, one of our outputs, or an item. */
  function file(path: FsPath, name: string, s: Stats): WalkItem | null {
    if (own.length > 0 && isOwnOutput(path, name, s)) return null;
    if (tracked(name)) {
      let inodes = files.get(s.dev);
      if (inodes === undefined) files.set(s.dev, (inodes = new Map()));
      const first = inodes.get(s.ino);
      if (first !== undefined) return again(path, first, s, 'file');
      inodes.set(s.ino, watched !== null ? path : fnv1a(absolute(path)));
    }
    return fileItem(path, s);
  }

  async function* folder(dir: FsPath, s: Stats, rel: string, state: FilterState): AsyncGenerator<WalkItem> {
    const key = identity(s);
    if (route.has(key)) {
      yield {
        kind: 'skip',
        path: dir,
        size: null,
        mtimeMs: s.mtimeMs,
        reason: 'symlink_loop',
        message: `A symbolic link to a folder above it (${showPath(folders.get(key)!)})`,
      };
      return;
    }
    const first = folders.get(key);
    if (first !== undefined) {
      const item = again(dir, first, s, 'folder');
      if (item) yield item;
      return;
    }
    folders.set(key, dir);
    route.add(key);
    try {
      yield* entries(dir, rel, state);
    } finally {
      route.delete(key);
    }
  }

  async function* entries(dir: FsPath, rel: string, state: FilterState): AsyncGenerator<WalkItem> {
    let list: Dirent<Buffer>[];
    try {
      list = (await readdir(dir, { withFileTypes: true, encoding: 'buffer' })) as Dirent<Buffer>[];
    } catch (e) {
      yield { kind: 'error', path: dir, error: errorMessage(e) };
      return;
    }
    list.sort(byBytes); // libuv already returns them sorted; this keeps the order whatever the listing does
    for (const d of list) {
      const path = joinName(dir, d.name);
      const name = nameText(d.name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (d.isDirectory()) {
        const f = filter.active ? filter.folder(state, childRel, name) : { state, prune: false };
        if (f.prune) {
          counters.filtered += 1;
          continue;
        }
        yield* entry(path, name, childRel, f.state, true);
        continue;
      }
      if (filter.active && filter.excludes(state, childRel, name)) {
        counters.filtered += 1;
        continue;
      }
      if (lazyStat && d.isFile() && !tracked(name)) {
        if (filter.active && !filter.includes(state, childRel, name)) {
          counters.filtered += 1;
          continue;
        }
        if (own.length > 0 && isOwnOutput(path, name, null)) continue;
        counters.files += 1;
        yield { kind: 'file', path, size: null, mtimeMs: null };
        continue;
      }
      yield* entry(path, name, childRel, state, false);
    }
  }

  /** One entry of a folder; `folderFiltered`: the folder globs were already applied (its entry said "folder"). */
  async function* entry(path: FsPath, name: string, rel: string, state: FilterState, folderFiltered: boolean): AsyncGenerator<WalkItem> {
    let s: Stats;
    try {
      s = await lstat(path);
    } catch (e) {
      yield { kind: 'error', path, error: errorMessage(e) };
      return;
    }
    if (s.isSymbolicLink()) {
      if (!opts.followSymlinks) {
        // The include globs judge a link by its name unless it leads to a folder, whose files they might have kept.
        if (filter.active && !(await stat(path).catch(() => null))?.isDirectory() && !filter.includes(state, rel, name)) {
          counters.filtered += 1;
          return;
        }
        yield { kind: 'skip', path, size: null, mtimeMs: s.mtimeMs, reason: 'symlink', message: 'A symbolic link, not followed (following symbolic links is off)' };
        return;
      }
      folderFiltered = false;
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
      const f = filter.active && !folderFiltered ? filter.folder(state, rel, name) : { state, prune: false };
      if (f.prune) {
        counters.filtered += 1;
        return;
      }
      yield* folder(path, s, rel, f.state);
      return;
    }
    if (filter.active && !filter.includes(state, rel, name)) {
      counters.filtered += 1;
      return;
    }
    const special = specialKind(s) ?? (s.isFile() ? null : { reason: 'other' as const, message: 'Not a regular file' });
    if (special) {
      yield { kind: 'skip', path, size: null, mtimeMs: s.mtimeMs, ...special };
      return;
    }
    const item = file(path, name, s);
    if (item) yield item;
  }

  for await (const raw of inputs) {
    const input = normalizeInput(raw);
    let s: Stats;
    try {
      s = await stat(input);
    } catch (e) {
      const error = errorMessage(e);
      const mangled = typeof input === 'string' && input.includes('\ufffd') && (e as NodeJS.ErrnoException).code === 'ENOENT';
      const hint = '; if its name is not UTF-8, a command-line argument cannot carry it: give it on standard input, NUL-separated, or name its folder';
      yield { kind: 'error', path: input, error: mangled ? { ...error, message: error.message + hint } : error };
      continue;
    }
    if (s.isDirectory()) {
      yield* folder(input, s, '', ROOT_STATE);
      continue;
    }
    const special = specialKind(s);
    if (special) yield { kind: 'skip', path: input, size: null, mtimeMs: s.mtimeMs, ...special };
    else if (!s.isFile()) yield { kind: 'error', path: input, error: { code: 'NOT_A_FILE', message: 'Not a regular file' } };
    else {
      const item = file(input, lastName(input), s);
      if (item) yield item;
    }
  }
}
