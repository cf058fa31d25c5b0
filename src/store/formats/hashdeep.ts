import { SIGNALS } from '../../signals/registry.js';
import { lineFormat } from './lineformat.js';
import { displayName, FormatError, nameAsId, optionalText, type EntrySink, type FormatParser } from './types.js';

export const HASHDEEP_MAGIC = '%%%% HASHDEEP-1.0';
const PREFIX = '%%%% ';
const COLUMNS_PREFIX = '%%%% size,';
const COMMENT = '#';
const SIZE_COLUMN = 'size';
const FILENAME_COLUMN = 'filename';

/**
 * hashdeep known-hash files as hashdeep 4.4 writes them: the magic line, a
 * `%%%% size,md5,sha1,sha256,filename` column line (the algorithms it computed, in its own
 * order), `## ` comment lines (where and how it was invoked), then one file per line with the
 * file name last (commas and all). As hashdeep's own reader does, any line starting with `#` is a
 * comment. Runs appended to one file repeat the banner: a repeated magic line is skipped and a
 * new column line applies to the lines after it; other `%%%% ` lines are skipped. Each hash
 * column our registry knows becomes an entry (the file name, C-quoted if it holds control
 * characters, is its external id); other columns (tiger, whirlpool) are counted, not imported.
 */
export function hashdeepFormat(sink: EntrySink): FormatParser {
  let sawMagic = false;
  let columns: string[] | null = null;
  return lineFormat(sink, (raw, n) => {
    if (!sawMagic) {
      if (raw.trim() === '') return;
      if (raw.trim() !== HASHDEEP_MAGIC) throw new FormatError(n, `expected the hashdeep header "${HASHDEEP_MAGIC}"`);
      sawMagic = true;
      return;
    }
    if (raw.startsWith(COMMENT) || raw.trim() === '') return;
    if (raw.slice(0, COLUMNS_PREFIX.length).toLowerCase() === COLUMNS_PREFIX) {
      columns = raw.slice(PREFIX.length).split(',').map((c) => c.trim().toLowerCase());
      if (columns[columns.length - 1] !== FILENAME_COLUMN) {
        throw new FormatError(n, 'the hashdeep column line must end with "filename"');
      }
      for (const c of columns) {
        if (c !== SIZE_COLUMN && c !== FILENAME_COLUMN && !SIGNALS.has(c)) sink.note(`hashdeep column not imported: ${displayName(c) ?? '(unnamed)'}`);
      }
      return;
    }
    if (raw.startsWith(PREFIX)) return;
    if (!columns) throw new FormatError(n, 'hashdeep data before the "%%%% size,…,filename" column line');
    const parts = raw.split(',');
    if (parts.length < columns.length) {
      sink.problem(n, `expected ${columns.length} hashdeep fields but found ${parts.length}`);
      return;
    }
    const sizeAt = columns.indexOf(SIZE_COLUMN);
    if (sizeAt >= 0 && !/^\d+$/.test(parts[sizeAt])) {
      sink.problem(n, 'hashdeep size is not a whole number');
      return;
    }
    const name = optionalText(parts.slice(columns.length - 1).join(','));
    const filename = name === null ? null : nameAsId(name);
    for (let i = 0; i < columns.length - 1; i++) {
      if (SIGNALS.has(columns[i])) sink.entry(n, columns[i], parts[i], filename, null, []);
    }
  });
}
