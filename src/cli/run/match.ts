import { createInterface } from 'node:readline';
import { createFormatter } from '../../report/formats.js';
import { fileSink, streamSink } from '../../report/sink.js';
import { emptyTotals, formatSummary, summarize } from '../../report/summary.js';
import { SIGNALS } from '../../signals/registry.js';
import { buildKnownGoodSet, withKnownGood } from '../../scan/known-good.js';
import { parseHashLine, matchLine } from '../../scan/match.js';
import { Matcher } from '../../scan/matcher.js';
import { selectLists } from '../../scan/options.js';
import { ReportOutput } from '../../scan/output.js';
import { parseList, parseThresholds } from '../args.js';
import type { CliContext } from '../context.js';
import { indexCacheDir, openStoreReadonly, parseFormat } from './scan.js';
import { categoryFilter } from '../../scan/categories.js';
import { parseVpdqMatch } from '../video-args.js';

export interface MatchCommandOptions {
  db?: string;
  lists?: string;
  threshold?: string;
  vpdqMatch?: string;
  dihedral?: boolean;
  categories?: string[];
  excludeCategories?: string[];
  indexCache?: string;
  out?: string;
  format: string;
  onlyMatches?: boolean;
  quiet?: boolean;
}

async function* sourceLines(args: readonly string[], io: CliContext): AsyncGenerator<[string, number, string]> {
  const fromStdin = args.length === 0 || (args.length === 1 && args[0] === '-');
  if (!fromStdin) {
    for (let i = 0; i < args.length; i++) yield [args[i], i + 1, 'argument'];
    return;
  }
  let n = 0;
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) yield [line, ++n, 'stdin'];
}

/** `hashsieve match`: every input line becomes one record of the scan's shape. */
export async function runMatchCommand(args: readonly string[], opts: MatchCommandOptions, io: CliContext): Promise<{ matched: number; errors: number }> {
  const format = parseFormat(opts.format);
  const thresholds = parseThresholds('--threshold', opts.threshold);
  const { store, path: dbPath } = openStoreReadonly(opts.db, io.env);
  try {
    const lists = selectLists(store.lists(), opts.lists === undefined ? undefined : parseList('--lists', opts.lists), dbPath);
    const held = new Set(lists.flatMap((l) => Object.entries(l.counts).filter(([, n]) => n > 0).map(([k]) => k)));
    const signals = [...SIGNALS.values()].filter((s) => held.has(s.name));
    // A hash in a known-good list is reported known_good, never as a finding.
    const knownGood = buildKnownGoodSet(store, lists.filter((l) => l.kind === 'known-good').map((l) => l.name), signals);
    const inner = Matcher.build(store, {
      lists: lists.filter((l) => l.kind !== 'known-good').map((l) => l.name),
      signals,
      thresholds,
      videoMatch: parseVpdqMatch('--vpdq-match', opts.vpdqMatch),
      dihedral: opts.dihedral === true,
      categories: categoryFilter(opts.categories, opts.excludeCategories),
      indexCache: indexCacheDir(opts.indexCache, io.env),
      onWarning: (message) => io.stderr.write(`hashsieve: warning: ${message}\n`),
    });
    const matcher = withKnownGood(inner, knownGood);
    const totals = emptyTotals();
    const output = new ReportOutput({
      sink: opts.out ? fileSink(opts.out, null) : streamSink(io.stdout),
      formatter: createFormatter(format, { signals: signals.map((s) => s.name), qualitySignals: [] }),
      onlyMatches: opts.onlyMatches === true,
      checkpoint: null,
      records: 0,
      totals,
      streaming: !opts.out,
    });
    output.begin();
    let complete = false;
    try {
      for await (const [raw, lineNo, source] of sourceLines(args, io)) {
        const line = parseHashLine(raw, lineNo, source);
        if (line === null) continue;
        output.add(matchLine(line, matcher));
        await output.maybeFlush();
      }
      complete = true;
    } finally {
      await output.finish(complete);
    }
    if (!opts.quiet) io.stderr.write(formatSummary(summarize(totals, false)));
    return { matched: totals.statuses.match, errors: totals.statuses.error };
  } finally {
    store.close();
  }
}
