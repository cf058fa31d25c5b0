/**
 * Which matches a scan reports, by the category of the list entry matched (e.g. to leave out
 * python-threatexchange's NEGATIVE_CLASS entries, known non-matches). Names compare without
 * regard to case. An entry without a category passes an exclude filter and fails an include one.
 */
export interface CategoryFilter {
  /** Report only matches of entries in one of these categories (null: any category). */
  readonly include: readonly string[] | null;
  /** Never report matches of entries in these categories. */
  readonly exclude: readonly string[];
}

const key = (c: string): string => c.trim().toLowerCase();

/** Names given as repeated values and/or comma-separated lists; null when neither is given. */
export function categoryFilter(include: readonly string[] | undefined, exclude: readonly string[] | undefined): CategoryFilter | null {
  const split = (vs: readonly string[] | undefined): string[] => [...new Set((vs ?? []).flatMap((v) => v.split(',')).map((c) => c.trim()).filter(Boolean))];
  const inc = split(include);
  const exc = split(exclude);
  if (inc.length === 0 && exc.length === 0) return null;
  return { include: inc.length > 0 ? inc : null, exclude: exc };
}

/** Whether a match of an entry with this category is reported. */
export function categoryPasses(filter: CategoryFilter | null | undefined, category: string | null): boolean {
  if (!filter) return true;
  const k = category === null ? null : key(category);
  if (k !== null && filter.exclude.some((c) => key(c) === k)) return false;
  if (filter.include === null) return true;
  return k !== null && filter.include.some((c) => key(c) === k);
}
