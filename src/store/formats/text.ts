import { lineFormat } from './lineformat.js';
import type { EntrySink, FormatOptions, FormatParser } from './types.js';

const WHITESPACE = /\s+/;

/**
 * One hash per line: `signal hash`, or a bare hash when `--signal` names the signal.
 * `#` comments and blank lines are skipped.
 */
export function textFormat(sink: EntrySink, options: FormatOptions): FormatParser {
  const fallback = options.signal;
  return lineFormat(sink, (raw, n) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const space = text.indexOf(' ');
    const fields =
      space > 0 && text.indexOf(' ', space + 1) < 0 && !text.includes('\t')
        ? [text.slice(0, space), text.slice(space + 1)]
        : text.split(WHITESPACE);
    if (fields.length === 2) sink.entry(n, fields[0], fields[1], null, null, []);
    else if (fields.length === 1 && fallback) sink.entry(n, fallback, fields[0], null, null, []);
    else if (fields.length === 1) sink.problem(n, 'bare hash without a signal (give `signal` or write "signal hash")');
    else sink.problem(n, `expected "signal hash" or a bare hash but found ${fields.length} fields`);
  });
}
