import { LineSplitter, type LineHandler } from '../lines.js';
import type { EntrySink, FormatParser } from './types.js';

/** Adapts a line handler to a FormatParser; bad lines (not UTF-8, too long) go to the sink. */
export function lineFormat(
  sink: EntrySink,
  line: LineHandler['line'],
  end: () => void = () => {},
): FormatParser {
  const splitter = new LineSplitter({ line, badLine: (n, reason) => sink.problem(n, reason) });
  return {
    unit: 'line',
    feed: (chunk) => splitter.feed(chunk),
    end: () => {
      splitter.end();
      end();
    },
  };
}
