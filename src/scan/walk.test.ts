import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { showPath, type FsPath } from './fs-path.js';
import { walk, type WalkCounters, type WalkItem, type WalkOptions } from './walk.js';

let dir: string;
const NONE: WalkOptions = { followSymlinks: false, include: [], exclude: [], maxFileSize: null };

async function collect(inputs: FsPath[], opts: Partial<WalkOptions> = {}): Promise<WalkItem[]> {
  const out: WalkItem[] = [];
  for await (const item of walk(inputs, { ...NONE, ...opts })) out.push(item);
  return out;
}

/** Files found under `root`, relative to it and `/`-separated, in walk order. */
async function files(root: string, opts: Partial<WalkOptions> = {}): Promise<string[]> {
  return (await collect([root], opts)).filter((i) => i.kind === 'file').map((i) => showPath(i.path).slice(root.length + 1));
}

function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-walk-'));
  for (const f of ['photos/a.png', 'photos/2024/b.png', 'photos/2024/c.jpg', 'photos/keep/d.png', 'a/b/e.png', 'a/f.png', 'top.png', 'top.txt', '.hidden.png']) {
    touch(join(dir, 'g', f));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('globs', () => {
  const g = (): string => join(dir, 'g');
  test('no glob: every file, names in byte order at every level', async () => {
    expect(await files(g())).toEqual([
      '.hidden.png',
      'a/b/e.png',
      'a/f.png',
      'photos/2024/b.png',
      'photos/2024/c.jpg',
      'photos/a.png',
      'photos/keep/d.png',
      'top.png',
      'top.txt',
    ]);
  });
  test('a glob with a slash matches the path under the input folder; ** spans folders', async () => {
    expect(await files(g(), { include: ['photos/**/*.png'] })).toEqual(['photos/2024/b.png', 'photos/a.png', 'photos/keep/d.png']);
    expect(await files(g(), { include: ['photos/*.png'] })).toEqual(['photos/a.png']);
    expect(await files(g(), { include: ['/top.*'] })).toEqual(['top.png', 'top.txt']);
  });
  test('a glob without a slash matches the name at any depth', async () => {
    expect(await files(g(), { include: ['*.jpg'] })).toEqual(['photos/2024/c.jpg']);
    expect(await files(g(), { exclude: ['*.png'] })).toEqual(['photos/2024/c.jpg', 'top.txt']);
  });
  test('exclude with a slash prunes that folder only; a folder name prunes it anywhere', async () => {
    const counters: WalkCounters = { filtered: 0, files: 0 };
    expect(await files(g(), { exclude: ['a/b/**'], counters })).toEqual([
      '.hidden.png',
      'a/f.png',
      'photos/2024/b.png',
      'photos/2024/c.jpg',
      'photos/a.png',
      'photos/keep/d.png',
      'top.png',
      'top.txt',
    ]);
    expect(counters).toEqual({ filtered: 1, files: 8 });
    expect(await files(g(), { exclude: ['2024'] })).not.toContain('photos/2024/b.png');
    expect(await files(g(), { exclude: ['b/'] })).not.toContain('a/b/e.png');
    expect(await files(g(), { exclude: ['photos/2024'] })).toEqual(['.hidden.png', 'a/b/e.png', 'a/f.png', 'photos/a.png', 'photos/keep/d.png', 'top.png', 'top.txt']);
  });
  test('negation: the last matching glob decides, in include and in exclude', async () => {
    expect(await files(g(), { include: ['*.png', '!photos/**'] })).toEqual(['.hidden.png', 'a/b/e.png', 'a/f.png', 'top.png']);
    expect(await files(g(), { include: ['!*.png'] })).toEqual(['photos/2024/c.jpg', 'top.txt']);
    expect(await files(g(), { exclude: ['photos/**', '!photos/keep/*.png'] })).toEqual(['.hidden.png', 'a/b/e.png', 'a/f.png', 'photos/keep/d.png', 'top.png', 'top.txt']);
  });
  test('a glob that matches a folder matches everything in it', async () => {
    expect(await files(g(), { include: ['keep'] })).toEqual(['photos/keep/d.png']);
    expect(await files(g(), { include: ['a/'] })).toEqual(['a/b/e.png', 'a/f.png']);
  });
  test('include and exclude together', async () => {
    expect(await files(g(), { include: ['photos/**'], exclude: ['*.jpg', 'keep'] })).toEqual(['photos/2024/b.png', 'photos/a.png']);
  });
  test('a file named as an input is taken whatever the globs say', async () => {
    const items = await collect([join(g(), 'top.txt')], { include: ['*.png'] });
    expect(items.map((i) => i.kind)).toEqual(['file']);
  });
});

test('entries come in byte order of their names, whatever order the folder lists them in', async () => {
  const root = join(dir, 'order');
  const names = Array.from({ length: 40 }, (_, i) => `n${String((i * 17) % 40).padStart(2, '0')}`);
  for (const n of names) touch(join(root, n));
  expect(await files(root)).toEqual([...names].sort());
});

describe('names that are not UTF-8', () => {
  const latin1 = Buffer.from('caf\xe9.jpg', 'latin1');
  const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x2e, 0x6a, 0x70, 0x67]); // 日本.jpg in Shift-JIS
  const broken = Buffer.from([0x61, 0xff, 0xc3, 0x28, 0x2e, 0x6a, 0x70, 0x67]);
  test('are walked by their bytes and can be stat-ed', async () => {
    const root = join(dir, 'names');
    mkdirSync(root);
    const rootBytes = Buffer.from(`${root}/`);
    for (const n of [latin1, sjis, broken]) writeFileSync(Buffer.concat([rootBytes, n]), 'x');
    writeFileSync(join(root, 'plain.jpg'), 'x');
    const items = await collect([root]);
    expect(items.every((i) => i.kind === 'file' && i.size === 1)).toBe(true);
    const paths = items.map((i) => i.path);
    expect(paths.filter((p) => typeof p === 'string')).toEqual([join(root, 'plain.jpg')]);
    const names = paths.filter((p): p is Buffer => typeof p !== 'string').map((p) => p.subarray(rootBytes.length));
    expect(names.map((n) => n.toString('hex')).sort()).toEqual([latin1, sjis, broken].map((n) => n.toString('hex')).sort());
    expect(await files(root, { include: ['*.jpg'] })).toHaveLength(4);
  });
  test('an input whose name arrived mangled (U+FFFD) gets a hint on how to pass it', async () => {
    const [item] = await collect([join(dir, 'names', 'caf\ufffd.jpg')]);
    expect(item).toMatchObject({ kind: 'error', error: { code: 'UNREADABLE', message: expect.stringContaining('standard input, NUL-separated') } });
  });
});

describe('each file and folder once', () => {
  test('overlapping inputs: the same path twice, a folder and a file in it', async () => {
    const g = join(dir, 'g');
    const items = await collect([join(g, 'a'), join(g, 'a') + '/', join(g, 'a', 'f.png'), g]);
    const shown = items.map((i) => [i.kind, showPath(i.path).slice(g.length + 1)]);
    expect(shown.filter(([k]) => k === 'file').map(([, p]) => p)).toEqual([
      'a/b/e.png',
      'a/f.png',
      '.hidden.png',
      'photos/2024/b.png',
      'photos/2024/c.jpg',
      'photos/a.png',
      'photos/keep/d.png',
      'top.png',
      'top.txt',
    ]);
    expect(items.filter((i) => i.kind !== 'file')).toEqual([]);
  });
  test('another route to a file already walked is a duplicate skip naming the first', async () => {
    const g = join(dir, 'g');
    const link = join(dir, 'link-to-top.png');
    symlinkSync(join(g, 'top.png'), link);
    for (const lazyStat of [false, true]) {
      const items = await collect([g, link], { lazyStat });
      const last = items[items.length - 1];
      expect(last).toMatchObject({ kind: 'skip', path: link, reason: 'duplicate' });
      expect(last.kind === 'skip' && last.message).toContain(join(g, 'top.png'));
      const before = await collect([link, g], { lazyStat });
      expect(before.find((i) => showPath(i.path) === join(g, 'top.png'))).toMatchObject({ kind: 'skip', reason: 'duplicate' });
      expect(before.filter((i) => i.kind === 'file')).toHaveLength(9);
    }
  });
  test('streamed inputs (stdin): a path named again gets no row, another route a duplicate row', async () => {
    const g = join(dir, 'g');
    async function* streamed(): AsyncGenerator<FsPath> {
      yield g;
      yield join(g, 'top.png');
      yield join(g, '.', 'top.png');
      yield join(dir, 'link-to-top.png');
    }
    const items: WalkItem[] = [];
    for await (const item of walk(streamed(), NONE)) items.push(item);
    expect(items.filter((i) => i.kind === 'file')).toHaveLength(9);
    expect(items.filter((i) => i.kind !== 'file')).toMatchObject([{ kind: 'skip', path: join(dir, 'link-to-top.png'), reason: 'duplicate' }]);
  });
  test('with lazy stat, a file named again as an input is still reported once', async () => {
    const g = join(dir, 'g');
    for (const inputs of [[join(g, 'a', 'f.png'), g], [g, join(g, 'a', 'f.png')]]) {
      const items = await collect(inputs, { lazyStat: true });
      expect(items.filter((i) => i.kind === 'file').map((i) => showPath(i.path)).filter((p) => p.endsWith('/f.png'))).toEqual([join(g, 'a', 'f.png')]);
      expect(items.filter((i) => i.kind !== 'file')).toEqual([]);
    }
  });

  // real/ holds f.png; a link to real/ sorts before it (a-link) in one layout and after it (z-link) in the other.
  for (const linkName of ['a-link', 'z-link']) {
    test(`--follow-symlinks: a folder reached twice is walked once, under the first path in byte order (${linkName})`, async () => {
      const root = join(dir, `layout-${linkName}`);
      touch(join(root, 'real', 'f.png'));
      symlinkSync(join(root, 'real'), join(root, linkName));
      symlinkSync(root, join(root, 'real', 'up'));
      const items = await collect([root], { followSymlinks: true });
      const rows = items.map((i) => [i.kind, showPath(i.path).slice(root.length + 1), i.kind === 'skip' ? i.reason : '']);
      const [first, second] = linkName === 'a-link' ? [linkName, 'real'] : ['real', linkName];
      expect(rows).toEqual([
        ['file', `${first}/f.png`, ''],
        ['skip', `${first}/up`, 'symlink_loop'],
        ['skip', second, 'duplicate'],
      ]);
    });
  }
});

test("the caller's own outputs are never walked", async () => {
  const root = join(dir, 'own');
  touch(join(root, 'rep.ndjson'));
  touch(join(root, 'sub', 'ck.jsonl'));
  touch(join(root, 'x.png'));
  for (const lazyStat of [true, false]) {
    expect(await files(root, { lazyStat, ownOutputs: [join(root, 'rep.ndjson'), join(root, 'sub', 'ck.jsonl'), join(root, 'later.json')] })).toEqual(['x.png']);
  }
});
