import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { escapeControls, quoteName, safeJson } from '../../report/escape.js';
import { invalidArgument, parseEnum, withFlags } from '../args.js';
import { EXIT, type CliContext } from '../context.js';
import type { CsvField, FormatName, ImportSummary, ListInfo, ListKind, Store, StoreVerification } from '../../store/index.js';

const DB_HELP = 'list database (default: $HASHSIEVE_DB, else $XDG_DATA_HOME/hashsieve/lists.db)';
const FORMATS: readonly (FormatName | 'auto')[] = ['auto', 'text', 'csv', 'vics', 'hashdeep', 'export', 'ndjson', 'sums', 'nsrl', 'vpdq'];
const KINDS: readonly ListKind[] = ['known', 'known-good'];
const CSV_FIELDS = ['hash', 'id', 'category', 'signal', 'tags'];

interface DbOpts {
  db?: string;
}

async function open(ctx: CliContext, opts: DbOpts, readonly: boolean): Promise<Store> {
  const { openStore, resolveDbPath } = await import('../../store/index.js');
  return openStore(resolveDbPath(opts, ctx.env), { readonly });
}

async function withStore<T>(ctx: CliContext, opts: DbOpts, readonly: boolean, fn: (s: Store) => Promise<T> | T): Promise<T> {
  const store = await open(ctx, opts, readonly);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export function parseColumns(spec: string): Partial<Record<CsvField, string>> {
  const out: Partial<Record<CsvField, string>> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const field = part.slice(0, eq).trim().toLowerCase();
    const col = part.slice(eq + 1).trim();
    if (eq < 1 || !col || !CSV_FIELDS.includes(field)) {
      throw invalidArgument('--columns', 'FIELD=COLUMN pairs like hash=COL,id=COL,category=COL,signal=COL,tags=COL', part);
    }
    out[field as CsvField] = col;
  }
  return out;
}

function countsText(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts).map(([s, n]) => `${s}=${n}`);
  return parts.length ? parts.join(' ') : '0';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** A stored free-text value as a terminal may show it: quoted when it holds control characters. */
function shown(v: string | null): string {
  return v === null ? '-' : quoteName(v);
}

function lsText(lists: ListInfo[]): string {
  if (lists.length === 0) return 'No lists imported yet.\n';
  return table([
    ['NAME', 'SOURCE', 'VERSION', 'IMPORTED', 'SIGNATURE', 'ENTRIES', 'KIND'],
    ...lists.map((l) => [
      quoteName(l.name),
      shown(l.sourceOrg),
      shown(l.version),
      l.importedAt.slice(0, 19).replace('T', ' ') + 'Z',
      l.signatureStatus,
      countsText(l.counts),
      l.kind,
    ]),
  ]);
}

function infoText(l: ListInfo): string {
  const rows: Array<[string, string]> = [
    ['name', quoteName(l.name)],
    ['kind', l.kind],
    ['source', shown(l.sourceOrg)],
    ['version', shown(l.version)],
    ['description', shown(l.description)],
    ['imported', l.importedAt],
    ['source file', shown(l.sourceFile)],
    ['source sha256', l.sourceSha256 ?? '-'],
    ['signature', l.signatureStatus + (l.keyFingerprint ? ` (key sha256 ${l.keyFingerprint})` : '')],
    ['entries digest', l.entriesDigest],
    ...Object.entries(l.counts).map(([s, n]): [string, string] => [`entries ${s}`, String(n)]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${(k + ':').padEnd(w + 1)} ${v}`).join('\n') + '\n';
}

export function summaryText(s: ImportSummary): string {
  const total = Object.values(s.imported).reduce((a, b) => a + b, 0);
  const lines = [
    `Imported ${total} new entries into list ${escapeControls(JSON.stringify(s.list))} (${s.format}, ${s.mode}; file sha256 ${s.sha256}; ${s.signatureStatus})`,
  ];
  for (const [sig, n] of Object.entries(s.imported)) lines.push(`  ${sig}: ${n}`);
  lines.push(`  duplicates (kept once): ${s.duplicates}`);
  const skipped = Object.entries(s.skipped);
  if (skipped.length) {
    lines.push(`  skipped: ${skipped.reduce((a, [, n]) => a + n, 0)}`);
    for (const [reason, n] of skipped) lines.push(`    ${n} × ${withFlags(reason)}`);
  }
  if (s.photoDna > 0) {
    lines.push(`  PhotoDNA values NOT imported: ${s.photoDna} (PhotoDNA cannot be computed or matched by hashsieve)`);
  }
  for (const [note, n] of Object.entries(s.notes)) lines.push(`  ${escapeControls(note)}: ${n}`);
  lines.push(`  list now holds: ${countsText(s.counts)}`);
  return lines.join('\n') + '\n';
}

function verifyText(v: StoreVerification): string {
  const lines: string[] = [];
  lines.push(v.database.length === 0 ? 'database: ok' : `database: FAILED\n${v.database.map((p) => `  ${p}`).join('\n')}`);
  for (const l of v.lists) {
    lines.push(`${quoteName(l.list)}: ${l.ok ? 'ok' : 'FAILED'}`);
    for (const p of l.problems) lines.push(`  ${escapeControls(p)}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command, ctx: CliContext): void {
  const list = program.command('list').description('Import and manage known-content hash lists (SQLite store)');

  list
    .command('import <files...>')
    .description('Import a hash list file in one transaction (text, CSV, VICS JSON, hashdeep, md5sum/sha1sum/sha256sum, hashsieve hash/scan NDJSON or CSV, NSRL RDSv3 SQLite, vpdq reference files (one per video, several at once, the id from the file name), or a hashsieve export)')
    .requiredOption('--name <name>', 'list name (unique)')
    .option('--source <org>', 'organisation the list came from')
    .option('--version <version>', 'version of the list')
    .option('--description <text>', 'free-text description')
    .option('--format <format>', `file format: ${FORMATS.join('|')}`, 'auto')
    .option('--signal <name>', 'signal of bare hashes (text), of a CSV without a signal column, or the NSRL digest to import (md5, sha1, sha256; default sha256)')
    .option('--kind <kind>', 'known (matches are findings) or known-good (matches are set aside, e.g. NSRL); default known, an append keeps the list\'s')
    .option('--columns <map>', 'CSV column mapping: hash=COL,id=COL,category=COL,signal=COL,tags=COL (NDJSON: id=FIELD,category=FIELD)')
    .option('--skip-invalid', 'import the valid lines and count the invalid ones by reason, instead of rejecting the file')
    .option('--replace', 'replace an existing list of this name (atomic swap)')
    .option('--append', 'add to an existing list of this name')
    .option('--sha256 <hex>', 'refuse the file unless its sha256 is this')
    .option('--signature <file>', 'detached Ed25519 signature over the file (raw, base64 or hex)')
    .option('--public-key <file>', 'PEM Ed25519 public key for --signature')
    .option('--json', 'print the import summary as JSON on stdout')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 imported, 2 usage error or file refused (nothing imported).')
    .action(async (files: string[], opts) => {
      if (files.length > 1 && opts.format !== 'vpdq') throw new UsageError('Several files are imported as one list only with --format vpdq');
      if (opts.replace && opts.append) throw new UsageError('Give either --replace or --append, not both');
      const format = parseEnum('--format', opts.format, FORMATS);
      const kind = opts.kind === undefined ? undefined : parseEnum('--kind', opts.kind, KINDS);
      if (Boolean(opts.signature) !== Boolean(opts.publicKey)) {
        throw new UsageError('--signature and --public-key go together');
      }
      const { importList, DEGENERATE_NOTE } = await import('../../store/index.js');
      const summary = await withStore(ctx, opts, false, (store) =>
        importList(store, files, {
          name: opts.name,
          sourceOrg: opts.source,
          version: opts.version,
          description: opts.description,
          kind,
          format,
          signal: opts.signal,
          columns: opts.columns ? parseColumns(opts.columns) : undefined,
          skipInvalid: Boolean(opts.skipInvalid),
          mode: opts.replace ? 'replace' : opts.append ? 'append' : 'create',
          sha256: opts.sha256,
          signature: opts.signature ? { signatureFile: opts.signature, publicKeyFile: opts.publicKey } : undefined,
          onLockWait: (state, ms) =>
            ctx.stderr.write(
              state === 'waiting'
                ? `hashsieve: another process is writing to the list database ${quoteName(store.path)}; waiting for it to finish (Ctrl-C to give up)\n`
                : `hashsieve: the list database is free after ${(ms / 1000).toFixed(1)} s; importing\n`,
            ),
        }),
      );
      ctx.stderr.write(summaryText(summary));
      const degenerate = summary.notes[DEGENERATE_NOTE];
      if (degenerate) ctx.stderr.write(`hashsieve: warning: ${degenerate} ${DEGENERATE_NOTE}; imported as given, check the list\n`);
      if (opts.json) ctx.stdout.write(safeJson(summary, 2) + '\n');
    });

  list
    .command('ls')
    .description('List the imported lists: names, sources, versions, dates and entry counts per signal (never hashes)')
    .option('--json', 'JSON output')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 listed, 2 usage error.')
    .action(async (opts) => {
      const lists = await withStore(ctx, opts, true, (s) => s.lists());
      ctx.stdout.write(opts.json ? safeJson(lists, 2) + '\n' : lsText(lists));
    });

  list
    .command('info <name>')
    .description("Show one list's provenance, digest and counts per signal (never hashes)")
    .option('--json', 'JSON output')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 shown, 2 usage error or no such list.')
    .action(async (name: string, opts) => {
      const info = await withStore(ctx, opts, true, (s) => s.requireList(name));
      ctx.stdout.write(opts.json ? safeJson(info, 2) + '\n' : infoText(info));
    });

  list
    .command('export <name>')
    .description('Write a list in the hashsieve export format (the only command that prints hashes)')
    .option('--out <file>', 'write to this new file (mode 0600) instead of stdout')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 exported, 2 usage error or no such list.')
    .action(async (name: string, opts) => {
      if (!opts.out && ctx.stdout.isTTY) {
        throw new UsageError('Refusing to print a hash list to a terminal; use --out FILE or redirect stdout');
      }
      const { exportList } = await import('../../store/index.js');
      await withStore(ctx, opts, true, async (store) => {
        store.requireList(name);
        if (!opts.out) return exportList(store, name, ctx.stdout);
        const out = createWriteStream(opts.out, { flags: 'wx', mode: 0o600 });
        await Promise.race([
          once(out, 'open'),
          once(out, 'error').then(([e]: unknown[]) => {
            throw new UsageError(`Cannot create ${opts.out}: ${(e as Error).message}`);
          }),
        ]);
        const n = await exportList(store, name, out);
        out.end();
        await once(out, 'finish');
        ctx.stderr.write(`Exported ${n} entries of list ${escapeControls(JSON.stringify(name))} to ${quoteName(opts.out)}\n`);
        return n;
      });
    });

  list
    .command('remove <name>')
    .description('Remove a list and all its entries')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 removed, 2 usage error or no such list.')
    .action(async (name: string, opts) => {
      const removed = await withStore(ctx, opts, false, (s) => s.removeList(name));
      if (!removed) throw new UsageError(`No list named ${JSON.stringify(name)}`);
      ctx.stderr.write(`Removed list ${escapeControls(JSON.stringify(name))}\n`);
    });

  list
    .command('verify [name]')
    .description("Check the database's integrity and each list's entries against the digest recorded at import")
    .option('--json', 'JSON output')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 every check passed, 1 a check failed, 2 usage error.')
    .action(async (name: string | undefined, opts) => {
      const { verifyStore } = await import('../../store/index.js');
      const result = await withStore(ctx, opts, true, (s) => verifyStore(s, name));
      ctx.stdout.write(opts.json ? safeJson(result, 2) + '\n' : verifyText(result));
      if (!result.ok) ctx.setExitCode(EXIT.MATCH);
    });
}
