/** `hash` and `scan` share one input path: the walk, stdin and -0, globs, the symlink policy, name escapes; `hash --out`; the progress line on a terminal. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unescapePath } from '../src/report/path-text.js';
import { BIN, hashesOf, makeImageTree, makeList, parseNdjson, runCli } from './scan-helpers.js';
import { requireSystemProgram } from './system-deps.js';

interface Row {
  path: string;
  path_bytes?: string;
  status?: string;
  hashes: Record<string, { hash: string }>;
  skip?: { reason: string };
  error?: { code: string };
}

let dir: string;
let tree: string;
let db: string;
const LATIN1 = Buffer.from('caf\xe9.png', 'latin1');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-hash-inputs-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  const known = await hashesOf(join(tree, 'known.png'), ['md5']);
  await makeList(db, 'hotline', [{ signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' }]);
  mkdirSync(join(tree, 'links'));
  symlinkSync(join(tree, 'known.png'), join(tree, 'links', 'to-file.png'));
  symlinkSync(join(tree, 'copies'), join(tree, 'links', 'to-dir'));
  copyFileSync(join(tree, 'known.png'), Buffer.concat([Buffer.from(`${tree}/`), LATIN1]));
  writeFileSync(join(tree, 'esc\x1b]0;pwned\x07\x1b[2J.png'), 'x');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hash = (args: string[], opts: { input?: string | Buffer } = {}) => runCli(['hash', '--algo', 'md5', ...args], opts);
const rel = (p: string): string => p.slice(tree.length + 1);
const view = (rows: Row[]) => rows.map((r) => [rel(r.path), r.skip?.reason ?? r.error?.code ?? 'hashed']);

describe('one input path for hash and scan', () => {
  test('the same files, skips and order from the same tree, with and without --follow-symlinks', () => {
    for (const follow of [[], ['--follow-symlinks']]) {
      const h = parseNdjson<Row>(hash([...follow, tree]).stdout);
      const s = parseNdjson<Row>(runCli(['scan', '--db', db, '--workers', '1', '--algo', 'md5', ...follow, tree]).stdout);
      const sorted = (rows: Row[]) => rows.map((r) => `${r.path} ${r.skip?.reason ?? ''}`).sort();
      expect(sorted(h)).toEqual(sorted(s));
      const links = view(h).filter(([p]) => p.startsWith('links/'));
      if (follow.length === 0) {
        expect(links).toEqual([
          ['links/to-dir', 'symlink'],
          ['links/to-file.png', 'symlink'],
        ]);
      } else {
        expect(links).toEqual([
          ['links/to-dir', 'duplicate'],
          ['links/to-file.png', 'duplicate'],
        ]);
      }
    }
  });

  test('globs with a slash, -0 paths as bytes, and names that are not UTF-8', () => {
    expect(view(parseNdjson<Row>(hash(['--include', 'copies/**/*.png', tree]).stdout))).toEqual([
      ['copies/known.half.png', 'hashed'],
      ['copies/known.rot90.png', 'hashed'],
      ['links/to-dir', 'symlink'], // a link to a folder is kept: files behind it could match
    ]);
    const none = hash(['--include', '*.gif', tree]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/left no file to hash/);

    const latin1Path = Buffer.concat([Buffer.from(`${tree}/`), LATIN1]);
    const [row] = parseNdjson<Row>(hash(['-0', '-'], { input: Buffer.concat([latin1Path, Buffer.from([0])]) }).stdout);
    expect(Buffer.from(row.path_bytes!, 'base64').equals(latin1Path)).toBe(true);
    expect(row.hashes.md5.hash).toBe(parseNdjson<Row>(hash([join(tree, 'known.png')]).stdout)[0].hashes.md5.hash);
    const text = hash(['--format', 'text', tree]).stdout;
    const shown = text.split('\n').find((l) => l.includes('caf'))!.split('\t')[0];
    expect(unescapePath(shown).equals(latin1Path)).toBe(true);
  });

  test('text output escapes control characters in names', () => {
    const text = hash(['--format', 'text', tree]).stdout;
    expect(text).not.toContain('\x1b');
    expect(text).toContain('esc\\x1b]0;pwned\\x07\\x1b[2J.png');
  });

  test('hash --out writes the file and refuses to overwrite one unless --force', () => {
    const out = join(dir, 'hashes.ndjson');
    const first = hash(['--out', out, join(tree, 'known.png')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(parseNdjson<Row>(readFileSync(out, 'utf8'))).toHaveLength(1);
    const again = hash(['--out', out, join(tree, 'other.png')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect(rel(parseNdjson<Row>(readFileSync(out, 'utf8'))[0].path)).toBe('known.png');
    expect(hash(['--out', out, '--force', join(tree, 'other.png')]).code).toBe(0);
    expect(rel(parseNdjson<Row>(readFileSync(out, 'utf8'))[0].path)).toBe('other.png');

    const inside = join(tree, 'bad', 'hashes.ndjson');
    expect(hash(['--out', inside, join(tree, 'bad')]).code).toBe(3);
    expect(parseNdjson<Row>(readFileSync(inside, 'utf8')).map((r) => rel(r.path))).toEqual(['bad/empty.jpg', 'bad/notes.txt']);
    rmSync(inside);
  });
});

describe.skipIf(!requireSystemProgram('script', 'bsdutils'))('the progress line on a terminal', () => {
  /** Run the scan with stdout and stderr on one pseudo-terminal (script(1)); returns what the terminal got. */
  function onTerminal(args: string[]): string {
    const cmd = [process.execPath, BIN, 'scan', '--db', db, '--workers', '1', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
    return r.stdout;
  }
  test('is not drawn between NDJSON records when the report goes to the same terminal', () => {
    const shown = onTerminal([join(tree, 'copies')]);
    expect(shown).toContain('"path"');
    expect(shown).not.toContain('\x1b[K');
  });
  test('is drawn when the report goes to a file', () => {
    expect(onTerminal(['--out', join(dir, 'tty.ndjson'), join(tree, 'copies')])).toContain('\x1b[K');
  });
});
