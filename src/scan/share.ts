import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hashFile } from '../hash.js';
import { formatShare, type ShareFormat, type ShareItem } from '../report/share.js';
import type { CaseInfo } from '../report/case.js';
import type { FileHashResult } from '../results.js';
import type { MatchOutcome } from './matcher.js';
import { unescapePath } from '../report/path-text.js';
import { showPath, type FsPath } from './fs-path.js';
import { walk } from './walk.js';

/**
 * The path to open for a result's path: the text itself, or, for a name reported in its quoted
 * escaped form (bytes that are not UTF-8), the bytes it stands for.
 */
function openable(shown: string): FsPath {
  return shown.startsWith('"') && !existsSync(shown) ? unescapePath(shown) : shown;
}

/** What a shared item carries: the digests VICS, python-threatexchange and hashdeep hold, and PDQ. */
export const SHARE_SIGNALS = ['md5', 'sha1', 'sha256', 'pdq'] as const;

export interface ShareConfig {
  readonly path: string;
  readonly format: ShareFormat;
  readonly category: string | null;
  readonly includePaths: boolean;
  /** A folder of files the examiner marked as new material, shared besides the matches. */
  readonly newFrom: string | null;
}

export interface ShareOutcome {
  readonly path: string;
  readonly shared: number;
  /** Files that yielded no hash (unreadable, or not regular files in the new-material folder). */
  readonly failed: readonly string[];
}

interface Found {
  readonly path: FsPath;
  readonly size: number;
  readonly hashes: Readonly<Record<string, { readonly hash: string }>>;
}

/** Collects the scan's matched files (paths and hashes only) while the matcher runs. */
export class ShareCollector {
  private readonly found: Found[] = [];

  /** Wraps a matcher so that every file it reports as a match is remembered. */
  tap<M extends { match(result: FileHashResult): MatchOutcome }>(inner: M): Pick<M, 'match'> {
    return {
      match: (result) => {
        const outcome = inner.match(result);
        if (outcome.status === 'match') this.found.push({ path: openable(result.path), size: result.size, hashes: result.hashes });
        return outcome;
      },
    };
  }

  /**
   * The matched files, then those in `newFrom`, with any share signal the scan did not compute
   * hashed now. A file that yields no hash at all is listed in `failed`, never dropped silently.
   */
  async items(cfg: ShareConfig): Promise<{ items: ShareItem[]; failed: string[] }> {
    const failed: string[] = [];
    const all: Found[] = [...this.found];
    if (cfg.newFrom !== null) {
      for await (const item of walk([cfg.newFrom], { followSymlinks: false, include: [], exclude: [], maxFileSize: null })) {
        if (item.kind === 'file') all.push({ path: item.path, size: item.size ?? 0, hashes: {} });
        else failed.push(showPath(item.path));
      }
    }
    const out: ShareItem[] = [];
    for (const f of all) {
      const missing = SHARE_SIGNALS.filter((s) => !f.hashes[s]);
      const more = missing.length > 0 ? await hashFile(f.path, { signals: [...missing] }) : null;
      const hashes = { ...(more?.hashes ?? {}), ...f.hashes };
      if (!hashes.md5 && !hashes.sha1 && !hashes.sha256 && !hashes.pdq) {
        failed.push(showPath(f.path));
        continue;
      }
      out.push({
        size: more?.size || f.size || null,
        md5: hashes.md5?.hash,
        sha1: hashes.sha1?.hash,
        sha256: hashes.sha256?.hash,
        pdq: hashes.pdq?.hash,
        ...(cfg.includePaths && { path: showPath(f.path) }),
      });
    }
    return { items: out, failed };
  }

  /** Write the share file (mode 0600); returns how many items it holds and the files that could not be shared. */
  async write(cfg: ShareConfig, kase: CaseInfo | null, commandLine: readonly string[]): Promise<ShareOutcome> {
    const { items, failed } = await this.items(cfg);
    await writeFile(cfg.path, formatShare(cfg.format, items, { category: cfg.category, case: kase, commandLine }), { mode: 0o600 });
    return { path: cfg.path, shared: items.length, failed };
  }
}
