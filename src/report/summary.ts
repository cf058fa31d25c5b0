import type { ScanRecord, ScanStatus, ScanSummary, ScanTotals } from './types.js';

export function emptyTotals(): ScanTotals {
  return {
    files: 0,
    bytes: 0,
    statuses: { match: 0, clean: 0, low_quality: 0, error: 0, skipped: 0, known_good: 0 },
    matches: 0,
    errors: {},
    skipped: {},
    elapsedMs: 0,
  };
}

export function addRecord(totals: ScanTotals, record: ScanRecord): void {
  totals.files += 1;
  // A checkpoint from before the known_good status has no count for it.
  totals.statuses[record.status] = (totals.statuses[record.status] ?? 0) + 1;
  totals.matches += record.matches.length;
  if (record.status !== 'skipped') totals.bytes += record.size ?? 0;
  if (record.error) totals.errors[record.error.code] = (totals.errors[record.error.code] ?? 0) + 1;
  if (record.skip) totals.skipped[record.skip.reason] = (totals.skipped[record.skip.reason] ?? 0) + 1;
}

export function summarize(totals: ScanTotals, interrupted: boolean): ScanSummary {
  const elapsedSeconds = totals.elapsedMs / 1000;
  return {
    files: totals.files,
    bytes: totals.bytes,
    statuses: { ...totals.statuses },
    filesMatched: totals.statuses.match,
    matches: totals.matches,
    errors: { ...totals.errors },
    skipped: { ...totals.skipped },
    elapsedSeconds: round(elapsedSeconds, 3),
    filesPerSecond: elapsedSeconds > 0 ? round(totals.files / elapsedSeconds, 1) : 0,
    interrupted,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

function byKey(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

const STATUS_LABELS: Record<ScanStatus, string> = {
  match: 'matched',
  clean: 'clean',
  low_quality: 'low quality',
  error: 'errors',
  skipped: 'skipped',
  known_good: 'known good',
};

/** The human summary printed on stderr at the end of a scan. */
export function formatSummary(s: ScanSummary): string {
  const lines = [
    `${s.interrupted ? 'interrupted after' : 'scanned'} ${s.files} files (${formatBytes(s.bytes)}) in ${s.elapsedSeconds.toFixed(1)} s, ${s.filesPerSecond} files/s`,
    `  ${(Object.keys(STATUS_LABELS) as ScanStatus[]).map((k) => `${s.statuses[k] ?? 0} ${STATUS_LABELS[k]}`).join(', ')}; ${s.matches} matches`,
  ];
  if (Object.keys(s.errors).length > 0) lines.push(`  errors: ${byKey(s.errors)}`);
  if (Object.keys(s.skipped).length > 0) lines.push(`  skipped: ${byKey(s.skipped)}`);
  return `${lines.join('\n')}\n`;
}
