#!/usr/bin/env node
// The quick start's main job: build a demo hash list from two of the synthetic fixtures (the
// "known" items) in a throwaway database, then scan the whole fixture tree with the built CLI
// and show which files matched, through which signal, at what distance and transform.
// Nothing is written outside a temporary folder, which is removed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'hashsieve.js');
const FIXTURES = join(ROOT, 'fixtures', 'images');
const KNOWN = [
  { file: 'a.png', id: 'DEMO-A', category: 'demo-known' },
  { file: 'b.jpg', id: 'DEMO-B', category: 'demo-known' },
];
const LIST_SIGNALS = ['pdq', 'md5'];

if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('hashsieve is not built yet: run `npm ci` (or `npm run build`) first.');
  process.exit(2);
}

const { hashFile } = await import(join(ROOT, 'dist', 'src', 'hash.js'));
const { openStore, importList } = await import(join(ROOT, 'dist', 'src', 'store', 'index.js'));

const work = mkdtempSync(join(tmpdir(), 'hashsieve-demo-'));
try {
  const db = join(work, 'demo-lists.db');
  const rows = ['signal,hash,id,category'];
  for (const k of KNOWN) {
    const r = await hashFile(join(FIXTURES, k.file), { signals: LIST_SIGNALS });
    for (const s of LIST_SIGNALS) rows.push(`${s},${r.hashes[s].hash},${k.id},${k.category}`);
  }
  const csv = join(work, 'demo-known.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const store = openStore(db);
  try {
    await importList(store, csv, {
      name: 'demo-known',
      format: 'csv',
      columns: { signal: 'signal', hash: 'hash', id: 'id', category: 'category' },
      sourceOrg: 'hashsieve demo (synthetic fixtures)',
      version: '1',
    });
  } finally {
    store.close();
  }
  console.log(`Demo list "demo-known": PDQ and MD5 of ${KNOWN.map((k) => k.file).join(' and ')} (ids ${KNOWN.map((k) => k.id).join(', ')}),`);
  console.log(`in a throwaway database ($TMP = ${work}, removed at the end).\n`);

  const args = ['scan', '--db', db, '--dihedral', '--quiet', '--manifest', join(work, 'manifest.json'), FIXTURES];
  const shown = (a) => (a.startsWith(work) ? a.replace(work, '$TMP') : a.startsWith(ROOT) ? relative(ROOT, a) : a);
  console.log(`$ hashsieve ${args.map(shown).join(' ')}\n`);
  const scan = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  if (scan.status !== 0 && scan.status !== 1 && scan.status !== 3) {
    process.stderr.write(scan.stderr);
    throw new Error(`scan failed with exit code ${scan.status}`);
  }
  const records = scan.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  records.sort((a, b) => a.path.localeCompare(b.path));
  const table = records.map((r) => {
    const best = r.matches[0];
    return [
      relative(FIXTURES, r.path),
      r.status,
      best ? `${best.list}/${best.entry}` : '',
      [...new Set(r.matches.map((m) => m.signal))].sort().join('+'),
      best ? String(best.distance) : '',
      best?.transform && best.transform !== 'orig' ? best.transform : '',
      r.error ? r.error.code : '',
    ];
  });
  const header = ['file', 'status', 'matched entry', 'signals', 'distance', 'transform', 'error'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) console.log(line(row));
  const matched = records.filter((r) => r.status === 'match').length;
  console.log(`\n${records.length} files, ${matched} matched the 2 known items (re-encoded, resized, rotated, mirrored copies included);`);
  console.log(`exit code ${scan.status} (1 = at least one match). Reports carry metadata only: no pixels, no thumbnails.`);
  if (matched === 0) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
