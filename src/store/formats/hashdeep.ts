import { SIGNALS } from '../../signals/registry.js';
import { lineFormat } from './lineformat.js';
import { displayName, FormatError, optionalText, type EntrySink, type FormatParser } from './types.js';

export const HASHDEEP_MAGIC = '%%%% HASHDEEP-1.0';
const COLUMNS_PREFIX = '%%%% ';
const COMMENT_PREFIX = '##';
const SIZE_COLUMN = 'size';
const FILENAME_COLUMN = 'filename';

/**
 * hashdeep known-hash files: the magic line, a `%%%% size,md5,sha256,filename` column line,
 * `##` comments, then one file per line. Each hash column our registry knows becomes an entry
 * (the filename is its external id); other columns are counted in the summary, not imported.
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
    if (raw.startsWith(COMMENT_PREFIX) || raw.trim() === '') return;
    if (raw.startsWith(COLUMNS_PREFIX)) {
      if (columns) throw new FormatError(n, 'a second hashdeep column line');
      columns = raw.slice(COLUMNS_PREFIX.length).split(',').map((c) => c.trim().toLowerCase());
      if (columns[columns.length - 1] !== FILENAME_COLUMN) {
        throw new FormatError(n, 'the hashdeep column line must end with "filename"');
      }
      for (const c of columns) {
        if (c !== SIZE_COLUMN && c !== FILENAME_COLUMN && !SIGNALS.has(c)) sink.note(`hashdeep column not imported: ${displayName(c) ?? '(unnamed)'}`);
      }
      return;
    }
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
    const filename = optionalText(parts.slice(columns.length - 1).join(','));
    for (let i = 0; i < columns.length - 1; i++) {
      if (SIGNALS.has(columns[i])) sink.entry(n, columns[i], parts[i], filename, null, []);
    }
  });
}
