import { figureKey, type BenchResult, type Direction, type Figure, type ParamValue } from './schema.js';

/**
 * Baseline comparison. Figures are matched by name + params and compared on their medians.
 * A figure regresses when it is worse than the baseline by more than `maxRegression` of the
 * baseline: throughput (better: 'higher') below baseline × (1 − limit), time or memory
 * (better: 'lower') above baseline × (1 + limit). Figures present on one side only are
 * reported, and fail the gate only with requireAll.
 */

export type RowStatus = 'ok' | 'improved' | 'regressed' | 'missing-in-baseline' | 'missing-in-current' | 'incomparable';

export interface ComparisonRow {
  readonly key: string;
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly unit: string;
  readonly better: Direction;
  readonly baseline: number | null;
  readonly current: number | null;
  /** current / baseline median. */
  readonly ratio: number | null;
  /** How much worse than the baseline, as a fraction of it (negative = better). */
  readonly worseBy: number | null;
  readonly status: RowStatus;
}

export interface Comparison {
  readonly maxRegression: number;
  readonly requireAll: boolean;
  readonly rows: readonly ComparisonRow[];
  readonly regressed: number;
  readonly improved: number;
  readonly missing: number;
  /** Differences in the machine or software between the two runs, for a person to weigh. */
  readonly environmentNotes: readonly string[];
  readonly failed: boolean;
}

export interface GateOptions {
  readonly maxRegression: number;
  readonly requireAll?: boolean;
}

function compareFigure(cur: Figure, base: Figure, limit: number): ComparisonRow {
  const common = { key: figureKey(cur), name: cur.name, params: cur.params, unit: cur.unit, better: cur.better };
  if (!(base.median > 0) || !Number.isFinite(cur.median)) {
    return { ...common, baseline: base.median, current: cur.median, ratio: null, worseBy: null, status: 'incomparable' };
  }
  const ratio = cur.median / base.median;
  const worseBy = cur.better === 'higher' ? 1 - ratio : ratio - 1;
  const status: RowStatus = worseBy > limit ? 'regressed' : worseBy < -limit ? 'improved' : 'ok';
  return { ...common, baseline: base.median, current: cur.median, ratio, worseBy, status };
}

const ENV_FIELDS = ['hashsieve', 'node', 'sharp', 'libvips', 'cpuModel', 'cores', 'platform', 'arch'] as const;

export function compareResults(current: BenchResult, baseline: BenchResult, opts: GateOptions): Comparison {
  const limit = opts.maxRegression;
  const baseByKey = new Map(baseline.figures.map((f) => [figureKey(f), f]));
  const rows: ComparisonRow[] = [];
  const seen = new Set<string>();
  for (const cur of current.figures) {
    const key = figureKey(cur);
    seen.add(key);
    const base = baseByKey.get(key);
    rows.push(
      base
        ? compareFigure(cur, base, limit)
        : { key, name: cur.name, params: cur.params, unit: cur.unit, better: cur.better, baseline: null, current: cur.median, ratio: null, worseBy: null, status: 'missing-in-baseline' },
    );
  }
  for (const base of baseline.figures) {
    const key = figureKey(base);
    if (seen.has(key)) continue;
    rows.push({ key, name: base.name, params: base.params, unit: base.unit, better: base.better, baseline: base.median, current: null, ratio: null, worseBy: null, status: 'missing-in-current' });
  }
  const count = (...s: RowStatus[]): number => rows.filter((r) => s.includes(r.status)).length;
  const regressed = count('regressed');
  const missing = count('missing-in-baseline', 'missing-in-current');
  const environmentNotes: string[] = [];
  if (current.kind !== baseline.kind) {
    environmentNotes.push(`baseline is a "${baseline.kind}" result, this run is "${current.kind}": no figure can match`);
  }
  for (const f of ENV_FIELDS) {
    const a = baseline.environment?.[f];
    const b = current.environment?.[f];
    if (a !== undefined && a !== b) environmentNotes.push(`${f} differs: baseline ${String(a)}, now ${String(b)}`);
  }
  return {
    maxRegression: limit,
    requireAll: opts.requireAll ?? false,
    rows,
    regressed,
    improved: count('improved'),
    missing,
    environmentNotes,
    failed: regressed > 0 || ((opts.requireAll ?? false) && missing > 0),
  };
}
