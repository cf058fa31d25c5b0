/**
 * Hand-written SVG charts of the evaluation (numbers only, no image content): per signal, the
 * distance histograms with the threshold marked; and a transform x signal heat table.
 */
import type { EvalReport } from './report.js';
import { percent, scientific } from './report.js';
import type { VariantReport } from './run.js';
import { histogramTotal, rebin } from './stats.js';

const BIN_WIDTH = 2;
const LEGEND_GAP = 18;
const CHAR_WIDTH = 6.6;
const LOG_FLOOR_DECADES = 7;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (x: number) => (Math.round(x * 10) / 10).toString();
const thousands = (n: number) => n.toLocaleString('en-US');

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly hist: readonly number[];
}

/** Distance histograms (fraction of each population per bin, log scale) with the threshold line. */
export function histogramSvg(v: VariantReport): string {
  const [W, H] = [860, 400];
  const m = { left: 64, right: 20, top: 52, bottom: 68 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const x = (d: number) => m.left + (d / v.bits) * pw;
  const y = (fraction: number) => {
    const decades = Math.max(-LOG_FLOOR_DECADES, Math.log10(fraction));
    return m.top + (-decades / LOG_FLOOR_DECADES) * ph;
  };
  const series: Series[] = [
    { label: 'unrelated pairs', colour: '#6b7280', hist: v.unrelated.histogram },
    { label: 'same source, other edits', colour: '#2563eb', hist: v.sameSource.other },
    { label: 'same source, rotated/mirrored', colour: '#ea580c', hist: v.sameSource.dihedral },
  ];
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  const title = `${v.id}: Hamming distance of same-source and unrelated pairs`;
  out.push(`<text x="${m.left}" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`);
  for (let k = 0; k <= LOG_FLOOR_DECADES; k++) {
    const yy = y(10 ** -k);
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${fmt(yy)}" y2="${fmt(yy)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${m.left - 6}" y="${fmt(yy + 4)}" text-anchor="end">${k === 0 ? '1' : `1e-${k}`}</text>`);
  }
  for (let d = 0; d <= v.bits; d += 32) {
    out.push(`<line x1="${fmt(x(d))}" x2="${fmt(x(d))}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#374151"/>`);
    out.push(`<text x="${fmt(x(d))}" y="${m.top + ph + 17}" text-anchor="middle">${d}</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 34}" text-anchor="middle">Hamming distance (${v.bits} bits), bins of ${BIN_WIDTH}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">fraction of pairs (log)</text>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#374151"/>`);

  let legendX = m.left;
  series.forEach((s) => {
    const n = histogramTotal(s.hist);
    if (n === 0) return;
    const bins = rebin(s.hist, BIN_WIDTH);
    const base = m.top + ph;
    let path = `M${fmt(x(0))} ${base}`;
    bins.forEach((c, b) => {
      const top = c > 0 ? y(c / n) : base;
      path += ` L${fmt(x(b * BIN_WIDTH))} ${fmt(top)} L${fmt(x(Math.min(v.bits + 1, (b + 1) * BIN_WIDTH)))} ${fmt(top)}`;
    });
    path += ` L${fmt(x(v.bits + 1))} ${base} Z`;
    out.push(`<path d="${path}" fill="${s.colour}" fill-opacity="0.18" stroke="${s.colour}" stroke-width="1.5"/>`);
    const legend = `${s.label} (n=${thousands(n)})`;
    out.push(`<rect x="${fmt(legendX)}" y="${H - 21}" width="12" height="10" fill="${s.colour}" fill-opacity="0.6"/>`);
    out.push(`<text x="${fmt(legendX + 16)}" y="${H - 12}">${escapeXml(legend)}</text>`);
    legendX += 16 + legend.length * CHAR_WIDTH + LEGEND_GAP;
  });

  const tx = x(v.threshold + 1);
  const u = v.unrelated;
  out.push(`<line x1="${fmt(tx)}" x2="${fmt(tx)}" y1="${m.top}" y2="${m.top + ph}" stroke="#dc2626" stroke-width="2" stroke-dasharray="6 4"/>`);
  const note = `red dashed line: match if distance <= ${v.threshold}; unrelated pairs matched ${thousands(u.fp)}/${thousands(u.pairs)} (95% upper bound ${scientific(u.fpRateUpper95)})`;
  out.push(`<text x="${m.left}" y="40" fill="#dc2626">${escapeXml(note)}</text>`);
  out.push(`<text x="${fmt(tx + 4)}" y="${m.top + 14}" fill="#dc2626">&lt;= ${v.threshold}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Red (0%) through amber to green (100%). */
export function rateColour(rate: number): string {
  const hue = Math.round(120 * Math.max(0, Math.min(1, rate)));
  return `hsl(${hue}, 65%, ${rate >= 0.999 ? 78 : 82}%)`;
}

interface Column {
  readonly title: string;
  readonly threshold: number;
  readonly note: string;
  readonly rates: readonly (number | null)[];
  readonly fp: number;
  readonly pairs: number;
  readonly fpRate: number;
  readonly fpRateUpper95: number;
}

/** One column per signal at its default threshold, plus one at the recommended threshold where that differs. */
function columns(report: EvalReport): Column[] {
  return report.signals.flatMap((v) => {
    const u = v.unrelated;
    const cols: Column[] = [
      { title: v.id, threshold: v.threshold, note: 'default', rates: v.transforms.map((o) => o.tpRate), pairs: u.pairs, fp: u.fp, fpRate: u.fpRate, fpRateUpper95: u.fpRateUpper95 },
    ];
    const r = v.recommended;
    if (r && r.threshold !== v.threshold) {
      const rates = v.transforms.map((o) => o.tpRateAtRecommended);
      cols.push({ title: v.id, threshold: r.threshold, note: 'recommended', rates, pairs: u.pairs, fp: r.fp, fpRate: r.fpRate, fpRateUpper95: r.fpRateUpper95 });
    }
    return cols;
  });
}

/** Transform x signal table of true-positive rates (and median distances) at each signal's threshold. */
export function heatTableSvg(report: EvalReport): string {
  const cols = columns(report);
  const vs = report.signals;
  const byTitle = new Map(vs.map((v) => [v.id, v]));
  const rowH = 22;
  const labelW = Math.round(20 + CHAR_WIDTH * Math.max(...report.transforms.map((t) => t.id.length + t.label.length + 2)));
  const colW = 150;
  const top = 76;
  const rows = report.transforms.length;
  const W = labelW + colW * cols.length + 20;
  const H = top + rowH * (rows + 2) + 50;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="600">True-positive rate per transform and signal</text>`);
  const sub = `${report.size.transformedSources} synthetic sources per transform; cell: rate (median distance). Seed ${report.seed}.`;
  out.push(`<text x="10" y="40" fill="#4b5563">${escapeXml(sub)}</text>`);
  cols.forEach((col, c) => {
    const cx = labelW + c * colW + colW / 2;
    out.push(`<text x="${cx}" y="${top - 18}" text-anchor="middle" font-weight="600">${escapeXml(col.title)}</text>`);
    out.push(`<text x="${cx}" y="${top - 4}" text-anchor="middle" fill="#4b5563">${escapeXml(`<= ${col.threshold} (${col.note})`)}</text>`);
  });
  report.transforms.forEach((t, r) => {
    const yy = top + r * rowH;
    out.push(`<text x="10" y="${yy + 15}">${escapeXml(`${t.id}: ${t.label}`)}</text>`);
    cols.forEach((col, c) => {
      const rate = col.rates[r];
      const outcome = byTitle.get(col.title)!.transforms[r];
      const median = outcome.distance.median;
      const mark = outcome.lowQuality > 0 ? '*' : '';
      const xx = labelW + c * colW;
      out.push(`<rect x="${xx + 1}" y="${yy + 1}" width="${colW - 2}" height="${rowH - 2}" fill="${rate === null ? '#f3f4f6' : rateColour(rate)}"/>`);
      out.push(`<text x="${xx + colW / 2}" y="${yy + 15}" text-anchor="middle">${rate === null ? '-' : percent(rate)} (${median ?? '-'})${mark}</text>`);
    });
  });
  const fy = top + rows * rowH + 10;
  out.push(`<text x="10" y="${fy + 15}" font-weight="600">unrelated pairs matched (95% upper bound)</text>`);
  cols.forEach((col, c) => {
    const xx = labelW + c * colW + colW / 2;
    out.push(`<text x="${xx}" y="${fy + 15}" text-anchor="middle">${thousands(col.fp)} / ${thousands(col.pairs)}</text>`);
    out.push(`<text x="${xx}" y="${fy + 15 + rowH}" text-anchor="middle" fill="#4b5563">rate ${scientific(col.fpRate)} (&lt;= ${scientific(col.fpRateUpper95)})</text>`);
  });
  const lowQuality = vs.some((v) => v.transforms.some((o) => o.lowQuality > 0));
  if (lowQuality) {
    const note = '* some edited images fell below the signal\'s quality cut-off: reported as low quality, never matched';
    out.push(`<text x="10" y="${H - 10}" fill="#4b5563">${escapeXml(note)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
