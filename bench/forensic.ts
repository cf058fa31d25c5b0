/**
 * Forensic triage benchmark: (1) import an NSRL RDSv3-shaped SQLite of N rows as a known-good
 * list (time, peak RSS); (2) scan F files of which a share are known-good, with and without the
 * known-good list, as the CLI does (ratio of files/s, median over rounds of in-round ratios).
 *
 *   node dist/bench/forensic.js [--nsrl-rows 1M,3M] [--files 10000] [--good 0.9] [--size 1024x768] [--rounds 2] [--workers 2] [--dir DIR]
 *
 * Everything is generated (fixed-seed digests, synthetic gradient images) in a temporary folder
 * and deleted afterwards; generation is not timed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { parseCount, parseCountList, parseDimensions, parseFraction } from '../src/cli/args.js';
import { importList } from '../src/store/import.js';
import { openStore } from '../src/store/store.js';

const MIB = 2 ** 20;
const RSS_SAMPLE_MS = 50;
const ROWS_PER_TRANSACTION = 200_000;
const DISTINCT_IMAGES = 100;
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'hashsieve.js');

interface Options {
  nsrlRows: number[];
  files: number;
  good: number;
  rounds: number;
  workers: number;
  width: number;
  height: number;
  dir: string | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'nsrl-rows': { type: 'string', default: '1M,3M' },
      files: { type: 'string', default: '10000' },
      good: { type: 'string', default: '0.9' },
      size: { type: 'string', default: '1024x768' },
      rounds: { type: 'string', default: '2' },
      workers: { type: 'string', default: '2' },
      dir: { type: 'string' },
    },
  });
  const [width, height] = parseDimensions('--size', values.size);
  return {
    nsrlRows: parseCountList('--nsrl-rows', values['nsrl-rows'], 0).filter((n) => n > 0),
    files: parseCount('--files', values.files, 0),
    good: parseFraction('--good', values.good),
    rounds: parseCount('--rounds', values.rounds),
    workers: parseCount('--workers', values.workers),
    width,
    height,
    dir: values.dir ?? null,
  };
}

/** Digests from a counter: distinct, deterministic, cheap. */
function digest(algo: string, i: number): string {
  return createHash(algo).update(`row ${i}`).digest('hex').toUpperCase();
}

/** An RDSv3-shaped database (PACKAGE_OBJECT, METADATA, the FILE view) of `rows` rows. */
export function writeRds(path: string, rows: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`
    CREATE TABLE PACKAGE_OBJECT (package_object_id INTEGER UNIQUE NOT NULL, package_id INTEGER NOT NULL, object_id INTEGER UNIQUE NOT NULL,
      PRIMARY KEY (package_object_id));
    CREATE TABLE METADATA (metadata_id NUMERIC UNIQUE NOT NULL, object_id INTEGER, key_hash VARCHAR NOT NULL, image_hash VARCHAR,
      path VARCHAR NOT NULL, path_b64 VARCHAR, path_coding VARCHAR, file_name VARCHAR NOT NULL, file_name_b64 VARCHAR,
      file_name_coding VARCHAR, extension VARCHAR DEFAULT '' NOT NULL, extension_b64 VARCHAR, extension_coding VARCHAR,
      bytes INTEGER NOT NULL, mtime TIMESTAMP, used_in_rds TIMESTAMP, update_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
      recursion_level INTEGER, extractee_id INTEGER DEFAULT 0, crc32 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL,
      sha256 VARCHAR NOT NULL, PRIMARY KEY (metadata_id));
    CREATE VIEW FILE AS SELECT UPPER(md.sha256) AS sha256, UPPER(md.sha1) AS sha1, UPPER(md.md5) AS md5,
      CASE md.extension WHEN '' THEN md.file_name ELSE md.file_name||'.'||md.extension END AS file_name,
      md.bytes AS file_size, po.package_id FROM METADATA AS md, PACKAGE_OBJECT AS po WHERE md.object_id = po.object_id;
  `);
  const po = db.prepare('INSERT INTO PACKAGE_OBJECT VALUES (?, ?, ?)');
  const md = db.prepare(
    "INSERT INTO METADATA (metadata_id, object_id, key_hash, path, file_name, extension, bytes, crc32, md5, sha1, sha256) VALUES (?, ?, '', '/p', 'f', 'dll', 1, '0', ?, ?, ?)",
  );
  for (let start = 0; start < rows; start += ROWS_PER_TRANSACTION) {
    db.transaction(() => {
      for (let i = start; i < Math.min(rows, start + ROWS_PER_TRANSACTION); i++) {
        po.run(i, i % 5000, i);
        md.run(i, i, digest('md5', i), digest('sha1', i), digest('sha256', i));
      }
    })();
  }
  db.close();
}

async function measured<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), RSS_SAMPLE_MS);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, seconds: (performance.now() - t0) / 1000, peakRss: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

const mib = (b: number): string => `${(b / MIB).toFixed(0)} MiB`;

async function nsrlImport(root: string, rows: number): Promise<void> {
  const rds = join(root, `RDS-${rows}.db`);
  const t0 = performance.now();
  writeRds(rds, rows);
  const genSeconds = (performance.now() - t0) / 1000;
  const store = openStore(join(root, `lists-${rows}.db`));
  const before = process.memoryUsage.rss();
  const imp = await measured(() => importList(store, rds, { name: 'nsrl', kind: 'known-good', format: 'nsrl' }));
  store.close();
  console.log(
    `NSRL import, ${rows} rows (${mib(statSync(rds).size)} database, generated in ${genSeconds.toFixed(0)} s): ` +
      `${imp.seconds.toFixed(1)} s, ${Math.round(rows / imp.seconds)} rows/s; RSS ${mib(before)} before, peak ${mib(imp.peakRss)}; ` +
      `${imp.value.counts.sha256} sha256 stored`,
  );
  rmSync(rds, { force: true });
  rmSync(join(root, `lists-${rows}.db`), { force: true });
}

/** Gradient-and-noise JPEGs of a photo's size: `n` distinct ones from `seed`. */
async function images(n: number, seed: number, w: number, h: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let k = 0; k < n; k++) {
    const px = Buffer.alloc(w * h * 3);
    let x = (seed * 7919 + k * 104729) >>> 0 || 1;
    for (let i = 0; i < w * h; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      const r = (i % w) + (x & 31);
      px[i * 3] = r & 255;
      px[i * 3 + 1] = (Math.floor(i / w) + k * 13) & 255;
      px[i * 3 + 2] = (x >>> 8) & 255;
    }
    out.push(await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer());
  }
  return out;
}

/** Wall seconds of the whole command, and the scan's own elapsed seconds from its summary (no process start-up). */
function timedScan(args: string[], summary: string): { wall: number; scan: number; knownGood: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'scan', '--summary', summary, ...args], { encoding: 'utf8', maxBuffer: 64 * MIB });
  if (r.status !== 0 && r.status !== 1) throw new Error(`scan failed (${r.status}): ${r.stderr}`);
  const s = JSON.parse(readFileSync(summary, 'utf8')) as { elapsedSeconds: number; statuses: Record<string, number> };
  return { wall: (performance.now() - t0) / 1000, scan: s.elapsedSeconds, knownGood: s.statuses.known_good ?? 0 };
}

async function knownGoodScan(root: string, o: Options): Promise<void> {
  const tree = join(root, 'tree');
  mkdirSync(tree, { recursive: true });
  const good = await images(DISTINCT_IMAGES, 1, o.width, o.height);
  const other = await images(DISTINCT_IMAGES, 2, o.width, o.height);
  const seedDir = join(root, 'seed');
  mkdirSync(seedDir);
  good.forEach((b, i) => writeFileSync(join(seedDir, `g${i}.jpg`), b));
  other.forEach((b, i) => writeFileSync(join(seedDir, `o${i}.jpg`), b));
  const goodFiles = Math.round(o.files * o.good);
  for (let i = 0; i < o.files; i++) {
    const isGood = i < goodFiles;
    const dir = join(tree, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    copyFileSync(join(seedDir, `${isGood ? 'g' : 'o'}${i % DISTINCT_IMAGES}.jpg`), join(dir, `${i}.jpg`));
  }
  const db = join(root, 'scan-lists.db');
  const goodList = join(root, 'good.txt');
  writeFileSync(goodList, good.map((b) => createHash('sha256').update(b).digest('hex')).join('\n') + '\n');
  const hotList = join(root, 'hot.txt');
  writeFileSync(hotList, `pdq ${'f0'.repeat(32)}\n`);
  const store = openStore(db);
  await importList(store, hotList, { name: 'hotline', format: 'text' });
  await importList(store, goodList, { name: 'nsrl', format: 'text', signal: 'sha256', kind: 'known-good' });
  store.close();
  const common = ['--db', db, '--workers', String(o.workers), '-q', '--force', '-o', join(root, 'report.ndjson')];
  const summary = join(root, 'summary.json');
  const scanRatios: number[] = [];
  const wallRatios: number[] = [];
  let lastWithout = 0;
  for (let round = 0; round < o.rounds; round++) {
    const withList = timedScan([...common, '--lists', 'hotline,nsrl', tree], summary);
    const without = timedScan([...common, '--lists', 'hotline', tree], summary);
    if (withList.knownGood !== goodFiles || without.knownGood !== 0) throw new Error('known-good counts are not as generated');
    scanRatios.push(without.scan / withList.scan);
    lastWithout = without.scan;
    wallRatios.push(without.wall / withList.wall);
    console.log(
      `scan round ${round + 1}: ${o.files} files of ${o.width}x${o.height} (${goodFiles} known-good): with the known-good list ${withList.scan.toFixed(1)} s ` +
        `(${Math.round(o.files / withList.scan)} files/s; ${withList.wall.toFixed(1)} s wall with start-up), without ${without.scan.toFixed(1)} s ` +
        `(${Math.round(o.files / without.scan)} files/s; ${without.wall.toFixed(1)} s wall): ${(without.scan / withList.scan).toFixed(2)}x scan, ${(without.wall / withList.wall).toFixed(2)}x wall`,
    );
  }
  const floor = timedScan([...common, '--lists', 'hotline', '--algo', 'sha256', tree], summary);
  const w = lastWithout / o.files;
  const f = floor.scan / o.files;
  console.log(
    `digest-only floor (the same files, sha256 only, nothing decoded): ${floor.scan.toFixed(1)} s (${Math.round(o.files / floor.scan)} files/s); ` +
      `with ${o.good * 100}% of files at that floor and the rest decoded, a serial estimate of the speed-up is ${(w / ((1 - o.good) * w + o.good * f)).toFixed(2)}x (the scan overlaps the two kinds of file on its threads, so it can do better)`,
  );
  const median = (xs: number[]): string => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(2);
  console.log(`speed-up with the known-good list over ${o.rounds} rounds: median ${median(scanRatios)}x (scan files/s), ${median(wallRatios)}x (wall, process start-up included)`);
}

export async function run(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  console.log(
    `forensic bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${mib(totalmem())} RAM, ` +
      `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  const root = mkdtempSync(join(o.dir ?? tmpdir(), 'hashsieve-forensic-bench-'));
  try {
    for (const rows of o.nsrlRows) await nsrlImport(root, rows);
    if (o.files > 0) await knownGoodScan(root, o);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  });
}
