/** The evaluation's JSON document and its plain-text summary. */
import type { Transform } from '../synthetic/transforms.js';
import type { HashOptions } from '../signals/types.js';
import { RECOMMENDATION_RULE, type EvalResult, type EvalSize, type VariantReport } from './run.js';
import { CONFIDENCE } from './stats.js';

export const EVAL_SCHEMA = 'hashsieve-eval/1';

export interface EvalReport {
  readonly schema: typeof EVAL_SCHEMA;
  readonly tool: { readonly name: 'hashsieve'; readonly version: string };
  readonly environment: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly quick: boolean;
  readonly size: EvalSize;
  readonly hashOptions: HashOptions;
  readonly statistics: {
    readonly confidence: number;
    readonly tpRate95: string;
    readonly fpRateUpper95: string;
    readonly quantiles: string;
    readonly recommendation: string;
  };
  readonly transforms: readonly { readonly id: string; readonly family: string; readonly label: string }[];
  readonly signals: readonly VariantReport[];
  /** The only fields that change between two runs with the same seed on the same machine. */
  readonly timing: { readonly totalSeconds: number; readonly hashingSeconds: number; readonly pairsSeconds: number };
}

export interface ReportMeta {
  readonly version: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly quick: boolean;
  readonly size: EvalSize;
  readonly hashOptions: HashOptions;
  readonly transforms: readonly Transform[];
  readonly totalSeconds: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function buildReport(meta: ReportMeta, result: EvalResult): EvalReport {
  return {
    schema: EVAL_SCHEMA,
    tool: { name: 'hashsieve', version: meta.version },
    environment: meta.environment,
    seed: meta.seed,
    quick: meta.quick,
    size: meta.size,
    hashOptions: meta.hashOptions,
    statistics: {
      confidence: CONFIDENCE,
      tpRate95: 'two-sided Clopper-Pearson (exact binomial) interval',
      fpRateUpper95: 'one-sided Clopper-Pearson upper bound; with 0 false positives in n pairs it is 1 - 0.05^(1/n), about 3/n (rule of three)',
      quantiles: 'nearest rank: the smallest distance with at least ceil(q*n) values at or below it',
      recommendation: RECOMMENDATION_RULE,
    },
    transforms: meta.transforms.map(({ id, family, label }) => ({ id, family, label })),
    signals: result.variants,
    timing: {
      totalSeconds: round3(meta.totalSeconds),
      hashingSeconds: round3(result.timing.hashingSeconds),
      pairsSeconds: round3(result.timing.pairsSeconds),
    },
  };
}

/** Stable JSON: key order is fixed by construction, histograms stay on one line each. */
export function reportJson(report: EvalReport): string {
  return `${JSON.stringify(report, (_k, v) => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? JSON.stringify(v) : v), 2)
    .replace(/"(\[[-0-9.e,]*\])"/g, '$1')}\n`;
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)}%`;
}

export function scientific(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

const pad = (s: string, n: number) => s.padEnd(n);

/** A plain-text summary: the transform x signal table, then false positives per signal. */
export function formatSummary(report: EvalReport): string {
  const vs = report.signals;
  const col = Math.max(...vs.map((v) => v.id.length + 6), 16);
  const first = Math.max(...report.transforms.map((t) => t.id.length), 9) + 2;
  const lines: string[] = [];
  lines.push(
    `hashsieve eval: seed ${report.seed}, ${report.size.transformedSources} sources x ${report.transforms.length} transforms, ` +
      `${report.size.unrelatedSources} unrelated sources${report.quick ? ' (quick)' : ''}`,
  );
  lines.push('');
  lines.push('True-positive rate at the default threshold (median distance in brackets)');
  lines.push(pad('transform', first) + vs.map((v) => pad(`${v.id} <=${v.threshold}`, col)).join(''));
  report.transforms.forEach((t, i) => {
    lines.push(pad(t.id, first) + vs.map((v) => pad(`${percent(v.transforms[i].tpRate)} (${v.transforms[i].distance.median ?? '-'})`, col)).join(''));
  });
  lines.push('');
  lines.push('False positives among unrelated pairs at the default threshold (95% upper bound)');
  for (const v of vs) {
    const u = v.unrelated;
    lines.push(
      `${pad(v.id, first)}${u.fp} / ${u.pairs} pairs, rate ${scientific(u.fpRate)} (<= ${scientific(u.fpRateUpper95)}); ` +
        `closest unrelated pair at distance ${u.distance.min ?? '-'}` +
        (v.sourceQuality ? `; source quality min ${v.sourceQuality.min}, median ${v.sourceQuality.median}` : ''),
    );
  }
  lines.push('');
  lines.push(`Recommended threshold (${RECOMMENDATION_RULE})`);
  for (const v of vs) {
    const r = v.recommended;
    lines.push(
      r
        ? `${pad(v.id, first)}<= ${r.threshold}: ${r.fp} / ${v.unrelated.pairs} unrelated pairs (<= ${scientific(r.fpRateUpper95)}), ` +
            `${percent(r.tpRate)} of all transformed images matched`
        : `${pad(v.id, first)}none: unrelated pairs matched even at distance 0`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
