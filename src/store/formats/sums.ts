import { SIGNALS } from '../../signals/registry.js';
import { lineFormat } from './lineformat.js';
import { nameAsId, type EntrySink, type FormatOptions, type FormatParser } from './types.js';

/** GNU coreutils: `HEX  NAME` (text mode) or `HEX *NAME` (binary); a leading `\` marks an escaped name. */
export const GNU_SUM_LINE = /^(\\?)([0-9a-fA-F]{32,128}) [ *](.*)$/;
/** BSD and `--tag` style: `SHA256 (NAME) = HEX`. */
export const TAGGED_SUM_LINE = /^(\\?)([A-Za-z0-9-]+) \((.*)\) = ([0-9a-fA-F]+)$/;

/** Digest length (hex digits) → the signal the sum tools write at that length. */
const BY_HEX_LENGTH: Readonly<Record<number, string>> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/**
 * Checksum files as `md5sum`, `sha1sum` and `sha256sum` write them (also md5deep's default
 * output and `--tag`/BSD lines): the signal follows from the digest's length (32, 40, 64 hex
 * digits) or the tag, unless `--signal` names it; the file name is the external id, C-quoted if
 * it holds control characters (an escaped GNU line keeps its escaped form). Digests of other
 * lengths or tags (sha224, sha384, sha512, blake2) are counted, not imported. `#` comments and
 * blank lines are skipped.
 */
export function sumsFormat(sink: EntrySink, options: FormatOptions): FormatParser {
  return lineFormat(sink, (raw, n) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const gnu = GNU_SUM_LINE.exec(raw);
    if (gnu) {
      const [, escaped, hex, name] = gnu;
      const signal = options.signal ?? BY_HEX_LENGTH[hex.length];
      if (!signal) {
        sink.note(`${hex.length * 4}-bit digests not imported (no such signal here)`);
        return;
      }
      sink.entry(n, signal, hex, escaped ? name : idOf(name), null, []);
      return;
    }
    const tagged = TAGGED_SUM_LINE.exec(raw);
    if (tagged) {
      const [, escaped, tag, name, hex] = tagged;
      const signal = options.signal ?? tag.toLowerCase().replace(/-/g, '');
      if (!SIGNALS.has(signal)) {
        sink.note(`${/^[A-Za-z0-9-]{1,16}$/.test(tag) ? tag : 'other'} digests not imported (no such signal here)`);
        return;
      }
      sink.entry(n, signal, hex, escaped ? name : idOf(name), null, []);
      return;
    }
    sink.problem(n, 'expected a checksum line "HEX  NAME" or "ALGO (NAME) = HEX"');
  });
}

function idOf(name: string): string | null {
  return name === '' ? null : nameAsId(name);
}
