/**
 * Include and exclude globs, as gitignore and ripgrep read them: a glob with a `/` matches the
 * path relative to the input folder (a leading `/` only anchors it), one without matches the
 * name at any depth; a trailing `/` matches folders only; `!` negates; when several globs of a
 * list match, the last one decides; a glob that matches a folder matches everything in it.
 */
import picomatch from 'picomatch';
import { UsageError } from '../errors.js';

interface Rule {
  readonly glob: string;
  readonly negated: boolean;
  readonly dirOnly: boolean;
  readonly anchored: boolean;
  readonly test: (s: string) => boolean;
}

function compile(globs: readonly string[]): Rule[] {
  return globs.map((glob) => {
    let p = glob;
    const negated = p.startsWith('!');
    if (negated) p = p.slice(1);
    const dirOnly = /[^/]\/+$/.test(p);
    p = p.replace(/\/+$/, '');
    const anchored = p.includes('/');
    p = p.replace(/^(\.?\/)+/, '');
    if (p === '') throw new UsageError(`The glob ${JSON.stringify(glob)} matches nothing (it is empty once its slashes are set aside)`);
    return { glob, negated, dirOnly, anchored, test: picomatch(p, { dot: true }) };
  });
}

/** What the globs said about a folder, inherited by everything in it: the index of the last glob of each list that matched it or a folder above it (-1: none). */
export interface FilterState {
  readonly include: number;
  readonly exclude: number;
}

export const ROOT_STATE: FilterState = { include: -1, exclude: -1 };

export class PathFilter {
  private readonly include: Rule[];
  private readonly exclude: Rule[];
  private readonly includeHasPositive: boolean;
  private readonly excludeHasNegation: boolean;
  /** Whether any glob was given. */
  readonly active: boolean;

  constructor(include: readonly string[], exclude: readonly string[]) {
    this.include = compile(include);
    this.exclude = compile(exclude);
    this.includeHasPositive = this.include.some((r) => !r.negated);
    this.excludeHasNegation = this.exclude.some((r) => r.negated);
    this.active = this.include.length > 0 || this.exclude.length > 0;
  }

  private static last(rules: readonly Rule[], rel: string, name: string, isDir: boolean, inherited: number): number {
    for (let i = rules.length - 1; i > inherited; i--) {
      const r = rules[i];
      if (r.dirOnly && !isDir) continue;
      if (r.test(r.anchored ? rel : name)) return i;
    }
    return inherited;
  }

  private excluded(at: number): boolean {
    return at >= 0 && !this.exclude[at].negated;
  }

  /**
   * A folder at `rel` (relative to the input folder, `/`-separated) named `name`: the state its
   * entries inherit, and whether to skip it whole (excluded, and no negated exclude glob could
   * bring anything in it back).
   */
  folder(parent: FilterState, rel: string, name: string): { state: FilterState; prune: boolean } {
    const exclude = PathFilter.last(this.exclude, rel, name, true, parent.exclude);
    const include = PathFilter.last(this.include, rel, name, true, parent.include);
    return { state: { include, exclude }, prune: this.excluded(exclude) && !this.excludeHasNegation };
  }

  /** Whether an exclude glob drops this entry (any kind but a folder). */
  excludes(parent: FilterState, rel: string, name: string): boolean {
    return this.excluded(PathFilter.last(this.exclude, rel, name, false, parent.exclude));
  }

  /** Whether the include globs keep this file (no include glob: every file). */
  includes(parent: FilterState, rel: string, name: string): boolean {
    if (this.include.length === 0) return true;
    const at = PathFilter.last(this.include, rel, name, false, parent.include);
    return at >= 0 ? !this.include[at].negated : !this.includeHasPositive;
  }
}
