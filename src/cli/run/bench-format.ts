import type { Comparison, ComparisonRow } from '../../bench/gate.js';
import type { BenchResult, Figure, ParamValue } from '../../bench/schema.js';

/** Human-readable tables for a terminal. JSON output never goes through here. */

const MIB = 1024 * 1024;

export function formatValue(v: number | null, unit: string): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (unit === 'bytes') return `${(v / MIB).toFixed(1)} MiB`;
  if (unit === 'ms') return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A figure's name plus the params that tell it apart from other figures of the same name. */
function labeller(figs: readonly { name: string; params: Readonly<Record<string, ParamValue>> }[]) {
  const varying = new Map<string, Set<string>>();
  for (const f of figs) {
    for (const [k, v] of Object.entries(f.params)) {
      const key = `${f.name}\0${k}`;
      if (!varying.has(key)) varying.set(key, new Set());
      varying.get(key)!.add(String(v));
    }
  }
  return (f: { name: string; params: Readonly<Record<string, ParamValue>> }): string => {
    const parts = Object.entries(f.params)
      .filter(([k]) => (varying.get(`${f.name}\0${k}`)?.size ?? 0) > 1)
      .map(([k, v]) => `${k}=${String(v)}`);
    return parts.length ? `${f.name} ${parts.join(' ')}` : f.name;
  };
}

export function formatFigures(figures: readonly Figure[]): string {
  const label = labeller(figures);
  const unitOf = (f: Figure): string => (f.unit === 'bytes' || f.unit === 'ms' ? '' : f.unit);
  return table(
    ['figure', 'median', 'min', 'max', 'q1', 'q3', 'unit', 'better'],
    figures.map((f) => [
      label(f),
      ...[f.median, f.min, f.max, f.q1, f.q3].map((v) => formatValue(v, f.unit)),
      unitOf(f),
      f.better,
    ]),
  );
}

export function formatEnvironment(r: BenchResult): string {
  const e = r.environment;
  return [
    `machine: ${e.cpuModel}, ${e.cores} cores, load ${e.loadAverage.join(' ')} at start, ${e.platform}/${e.arch}`,
    `software: hashsieve ${e.hashsieve}, Node ${e.node}, sharp ${e.sharp ?? 'n/a'}, libvips ${e.libvips ?? 'n/a'}`,
  ].join('\n');
}

export function formatResult(r: BenchResult, header: string): string {
  const rounds = r.figures[0]?.values.length ?? 0;
  const warmup = r.parameters.warmup ?? 0;
  const out = [header, `${rounds} measured round(s) after ${String(warmup)} warm-up round(s), seed ${r.seed}`, '', formatFigures(r.figures), ''];
  if (r.crossCheck) {
    const c = r.crossCheck;
    out.push(
      c.ok
        ? `cross-check: ${c.queries} sampled queries gave the same answers as LinearIndex`
        : `cross-check FAILED: ${c.mismatches} of ${c.queries} sampled queries differ from LinearIndex` +
            c.examples.map((x) => `\n  query #${x.query}: ${x.reason}`).join(''),
    );
  }
  if (r.workload) out.push(`workload: ${Object.entries(r.workload).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  for (const n of r.notes ?? []) out.push(`note: ${n}`);
  out.push(formatEnvironment(r));
  return `${out.join('\n')}\n`;
}

const VERDICT: Readonly<Record<ComparisonRow['status'], string>> = {
  ok: 'ok',
  improved: 'improved',
  regressed: 'REGRESSED',
  'missing-in-baseline': 'new (not in baseline)',
  'missing-in-current': 'missing (only in baseline)',
  incomparable: 'not comparable',
};

export function formatComparison(c: Comparison, baselineFile: string): string {
  const label = labeller(c.rows);
  const rows = c.rows.map((r) => [
    label(r),
    formatValue(r.baseline, r.unit),
    formatValue(r.current, r.unit),
    r.ratio === null ? '—' : `${r.ratio.toFixed(3)}×`,
    r.worseBy === null ? '—' : `${(-r.worseBy * 100).toFixed(1)}%`,
    r.better,
    VERDICT[r.status],
  ]);
  const limit = `${(c.maxRegression * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const verdict = c.failed
    ? `FAIL: ${c.regressed} figure(s) regressed by more than ${limit}` + (c.requireAll && c.missing ? `, ${c.missing} missing (--require-all)` : '')
    : `pass: no figure regressed by more than ${limit}`;
  const missing = c.missing && !c.requireAll ? [`${c.missing} figure(s) on one side only: reported, not failed (use --require-all to fail on them)`] : [];
  return [
    `baseline ${baselineFile} (medians compared; "better" is the good direction; change > 0 is an improvement)`,
    '',
    table(['figure', 'baseline', 'now', 'ratio', 'change', 'better', 'verdict'], rows),
    '',
    ...c.environmentNotes.map((n) => `note: ${n}`),
    ...missing,
    `${verdict} (${c.improved} improved)`,
    '',
  ].join('\n');
}
