/** `hashsieve hash` end to end: the BUILT binary (run `npm run build` first), stdout a pipe (no TTY). */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngHeaderOnly } from '../src/synthetic/images.js';
import { main } from '../src/cli/main.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'hashsieve.js');
const IMAGES = 'fixtures/images';
const IS_ROOT = process.getuid?.() === 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hashsieve(args: string[], stdin = ''): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'hash', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

interface Row {
  path: string;
  size: number;
  hashes: Record<string, { hash: string; quality?: number; lowQuality?: boolean; dihedral?: Record<string, string> }>;
  width?: number;
  height?: number;
  format?: string;
  error?: { code: string; message: string };
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const rows = (r: Run): Row[] => r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const sha256Of = async (p: string) => createHash('sha256').update(await readFile(join(ROOT, p))).digest('hex');
const HEX64 = /^[0-9a-f]{64}$/;

function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    for (; x; x &= x - 1) d++;
  }
  return d;
}

let tmp: string;

/** Every invocation the tests look at, started together (4 at a time) to keep the file fast. */
const RUNS: Record<string, () => [string[], string?]> = {
  default: () => [[`${IMAGES}/b.jpg`, `${IMAGES}/a.png`]],
  allAlgos: () => [['--algo', 'pdq,blockhash,md5,sha1,sha256', `${IMAGES}/a.png`, join(tmp, 'one-pixel.png')]],
  bits8: () => [['--algo', 'blockhash', '--blockhash-bits', '8', '--format', 'text', `${IMAGES}/a.png`]],
  dihedral: () => [['--algo', 'pdq,blockhash', '--dihedral', ...['a.png', 'a.q60.jpg', 'a.half.png', 'a.rot90.png', 'a.flop.png'].map((f) => `${IMAGES}/${f}`)]],
  csv: () => [['--format', 'csv', '--algo', 'pdq,md5', `${IMAGES}/a.png`, `${IMAGES}/bad/notes.txt`]],
  text: () => [['--format', 'text', '--algo', 'sha256', `${IMAGES}/a.png`]],
  stdin: () => [['--algo', 'md5', `${IMAGES}/c.png`, '-', `${IMAGES}/b.jpg`], `${IMAGES}/a.png\r\n\n${IMAGES}/a.half.png\n`],
  tree: () => [['--algo', 'md5', '--workers', '3', join(tmp, 'tree')]],
  committed: () => [['--algo', 'blockhash,sha256', IMAGES]],
  bad: () => [[
    `${IMAGES}/a.png`,
    `${IMAGES}/bad/empty.jpg`,
    `${IMAGES}/bad/truncated.jpg`,
    `${IMAGES}/bad/random-bytes.jpg`,
    `${IMAGES}/bad/notes.txt`,
    join(tmp, 'header-100000x100000.png'),
    join(tmp, 'dangling.jpg'),
    `${IMAGES}/a.png/inside.png`,
    join(tmp, 'does-not-exist.png'),
    join(tmp, 'locked.jpg'),
    '/dev/null',
    `${IMAGES}/c.png`,
  ]],
  maxPixels: () => [['--max-pixels', '1000', `${IMAGES}/a.png`]],
  maxBytes: () => [['--max-bytes', '1K', `${IMAGES}/a.png`]],
  badJobs: () => [['--workers', '-1', `${IMAGES}/a.png`]],
  noPaths: () => [[]],
  unknownOption: () => [['--colour', `${IMAGES}/a.png`]],
};
const results: Record<string, Run> = {};
const CONCURRENT_RUNS = 4;

async function runAll(): Promise<void> {
  const queue = Object.entries(RUNS);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [args, stdin] = next[1]();
      results[next[0]] = await hashsieve(args, stdin);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_RUNS }, worker));
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('Build first: npm run build');
  tmp = await mkdtemp(join(tmpdir(), 'hashsieve-cli-'));
  await writeFile(join(tmp, 'header-100000x100000.png'), pngHeaderOnly(100_000, 100_000));
  await writeFile(
    join(tmp, 'one-pixel.png'),
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#c87828' } }).png().toBuffer(),
  );
  await symlink(join(tmp, 'no-such-target.jpg'), join(tmp, 'dangling.jpg'));
  await writeFile(join(tmp, 'locked.jpg'), await readFile(join(ROOT, IMAGES, 'b.jpg')));
  await chmod(join(tmp, 'locked.jpg'), 0o000);
  await mkdir(join(tmp, 'tree', 'z'), { recursive: true });
  await mkdir(join(tmp, 'tree', 'a'), { recursive: true });
  for (const f of ['tree/z/1.png', 'tree/a/2.png', 'tree/b.png', 'tree/B.png']) {
    await writeFile(join(tmp, f), await readFile(join(ROOT, IMAGES, 'c.png')));
  }
  await runAll();
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const rowsOf = (name: string) => rows(results[name]);

describe('hashsieve hash: output', () => {
  it('writes one NDJSON record per file, in input order, with pdq (hash, quality) and sha256 by default', async () => {
    const r = results.default;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [b, a] = rows(r);
    expect(b.path).toBe(`${IMAGES}/b.jpg`);
    expect(a.path).toBe(`${IMAGES}/a.png`);
    expect(Object.keys(b.hashes)).toEqual(['pdq', 'sha256']);
    expect(b.hashes.pdq.hash).toMatch(HEX64);
    expect(b.hashes.pdq.quality).toBeGreaterThanOrEqual(50);
    expect(b.hashes.pdq.lowQuality).toBeUndefined();
    expect(b.hashes.sha256.hash).toBe(await sha256Of(`${IMAGES}/b.jpg`));
    expect(b).toMatchObject({ size: (await readFile(join(ROOT, IMAGES, 'b.jpg'))).length, width: 320, height: 240, format: 'jpeg' });
    expect(b.error).toBeUndefined();
  });

  it('computes every signal asked for with --algo; a 1x1 image hashes, its pdq flagged low quality (exit 0)', () => {
    expect(results.allAlgos.code).toBe(0);
    const [a, pixel] = rowsOf('allAlgos');
    expect(Object.keys(a.hashes)).toEqual(['pdq', 'blockhash', 'md5', 'sha1', 'sha256']);
    expect(a.hashes.blockhash.hash).toMatch(HEX64);
    expect(a.hashes.md5.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(a.hashes.sha1.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(pixel.error).toBeUndefined();
    expect(pixel).toMatchObject({ width: 1, height: 1 });
    expect(pixel.hashes.pdq.lowQuality).toBe(true);
    expect(pixel.hashes.blockhash.hash).toMatch(HEX64);
  });

  it('--blockhash-bits 8 gives a 64-bit blockhash', () => {
    expect(results.bits8.stdout).toMatch(/^fixtures\/images\/a\.png\tblockhash:[0-9a-f]{16} q=\d+\n$/);
  });

  it('re-encodes and resizes stay near the source; --dihedral finds the rotated and mirrored copies', () => {
    expect(results.dihedral.code).toBe(0);
    const [src, q60, half, rot90, flop] = rowsOf('dihedral');
    expect(Object.keys(src.hashes.pdq.dihedral ?? {})).toEqual(['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipplus1', 'flipminus1']);
    expect(src.hashes.pdq.dihedral?.orig).toBe(src.hashes.pdq.hash);
    for (const near of [q60, half]) {
      expect(hamming(src.hashes.pdq.hash, near.hashes.pdq.hash)).toBeLessThanOrEqual(31);
      expect(hamming(src.hashes.blockhash.hash, near.hashes.blockhash.hash)).toBeLessThanOrEqual(24);
    }
    for (const moved of [rot90, flop]) {
      expect(hamming(src.hashes.pdq.hash, moved.hashes.pdq.hash)).toBeGreaterThan(31);
      const best = Math.min(...Object.values(src.hashes.pdq.dihedral ?? {}).map((h) => hamming(h, moved.hashes.pdq.hash)));
      expect(best).toBeLessThanOrEqual(31);
    }
    expect(src.hashes.blockhash.dihedral).toBeUndefined();
  });

  it('--format csv writes a header and one row per file, errors in their own columns', () => {
    expect(results.csv.code).toBe(3);
    const lines = results.csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('path,size,width,height,format,pdq,pdq_quality,pdq_low_quality,md5,error_code,error_message,skip_reason');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^fixtures\/images\/a\.png,32522,256,192,png,[0-9a-f]{64},\d+,false,[0-9a-f]{32},,,$/);
    expect(lines[2]).toMatch(/^fixtures\/images\/bad\/notes\.txt,57,,,,,,,[0-9a-f]{32},UNSUPPORTED_FORMAT,/);
  });

  it('--format text writes one readable line per file', async () => {
    expect(results.text.stdout).toBe(`${IMAGES}/a.png\tsha256:${await sha256Of(`${IMAGES}/a.png`)}\n`);
  });

  it('- reads paths from stdin, one per line, in place among the other arguments', () => {
    expect(results.stdin.code).toBe(0);
    expect(rowsOf('stdin').map((x) => x.path)).toEqual([`${IMAGES}/c.png`, `${IMAGES}/a.png`, `${IMAGES}/a.half.png`, `${IMAGES}/b.jpg`]);
  });

  it('recurses into directories in a deterministic sorted order', () => {
    expect(results.tree.code).toBe(0);
    expect(rowsOf('tree').map((x) => x.path.slice(tmp.length + 1))).toEqual(['tree/B.png', 'tree/a/2.png', 'tree/b.png', 'tree/z/1.png']);
  });

  it('hashes the committed fixtures: 12 images and 5 error rows, exit 3', () => {
    const r = results.committed;
    expect(r.code).toBe(3);
    const all = rows(r);
    expect(all).toHaveLength(17);
    expect(all.filter((x) => x.error).map((x) => [x.path.replace(`${IMAGES}/`, ''), x.error?.code])).toEqual([
      ['bad/empty.jpg', 'EMPTY_FILE'],
      ['bad/huge-header.png', 'TOO_MANY_PIXELS'],
      ['bad/notes.txt', 'UNSUPPORTED_FORMAT'],
      ['bad/random-bytes.jpg', 'UNSUPPORTED_FORMAT'],
      ['bad/truncated.jpg', 'DECODE_FAILED'],
    ]);
    expect(r.stderr).toBe('hashsieve: 5 of 17 files could not be fully hashed\n');
  });
});

describe('hashsieve hash: bad input becomes error rows (exit 3), never a crash', () => {
  const row = (suffix: string) => {
    const found = rowsOf('bad').filter((x) => x.path.endsWith(suffix));
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('every input gets exactly one record, in order, and the run exits 3', () => {
    expect(results.bad.code).toBe(3);
    expect(rowsOf('bad').map((x) => x.error?.code ?? 'ok')).toEqual([
      'ok',
      'EMPTY_FILE',
      'DECODE_FAILED',
      'UNSUPPORTED_FORMAT',
      'UNSUPPORTED_FORMAT',
      'TOO_MANY_PIXELS',
      'UNREADABLE',
      'UNREADABLE',
      'UNREADABLE',
      IS_ROOT ? 'ok' : 'UNREADABLE',
      'ok', // /dev/null: a skip row, as in scan
      'ok',
    ]);
  });

  it('zero-byte file: EMPTY_FILE, no hashes', () => {
    expect(row('bad/empty.jpg')).toEqual({ path: `${IMAGES}/bad/empty.jpg`, size: 0, hashes: {}, error: { code: 'EMPTY_FILE', message: expect.any(String) } });
  });

  it('truncated JPEG: DECODE_FAILED, and its sha256 still reported', async () => {
    const r = row('bad/truncated.jpg');
    expect(r.error?.code).toBe('DECODE_FAILED');
    expect(r.hashes).toEqual({ sha256: { hash: await sha256Of(`${IMAGES}/bad/truncated.jpg`) } });
  });

  it('random bytes named .jpg and a text file: UNSUPPORTED_FORMAT, sha256 kept', () => {
    for (const f of ['bad/random-bytes.jpg', 'bad/notes.txt']) {
      expect(row(f).error?.code).toBe('UNSUPPORTED_FORMAT');
      expect(row(f).hashes.sha256.hash).toMatch(HEX64);
    }
  });

  it('a PNG whose header claims 100000x100000: TOO_MANY_PIXELS', () => {
    expect(row('header-100000x100000.png').error?.code).toBe('TOO_MANY_PIXELS');
  });

  it('a dangling symbolic link, a path through a file, a missing file: UNREADABLE, no hashes', () => {
    for (const p of ['dangling.jpg', 'a.png/inside.png', 'does-not-exist.png']) {
      expect(row(p).error?.code).toBe('UNREADABLE');
      expect(row(p).hashes).toEqual({});
    }
  });

  it.skipIf(IS_ROOT)('a file without read permission: UNREADABLE (skipped as root, who can read it anyway)', () => {
    expect(row('locked.jpg').error).toEqual({ code: 'UNREADABLE', message: 'Permission denied' });
  });

  it('a device given as a file: a skip row with the reason, as scan writes it (a directory argument is recursed instead)', () => {
    expect(row('/dev/null')).toMatchObject({ size: null, hashes: {}, skip: { reason: 'device' } });
  });

  it('--max-pixels and --max-bytes lower the limits; over the byte limit the digest is still streamed', async () => {
    expect(results.maxPixels.code).toBe(3);
    expect(rowsOf('maxPixels')[0].error?.code).toBe('TOO_MANY_PIXELS');
    expect(results.maxBytes.code).toBe(3);
    const [r] = rowsOf('maxBytes');
    expect(r.error?.code).toBe('TOO_LARGE');
    expect(r.hashes).toEqual({ sha256: { hash: await sha256Of(`${IMAGES}/a.png`) } });
  });
});

describe('hashsieve hash: default format and usage errors (exit 2, a message a person can act on)', () => {
  it('the binary exits 2 with nothing on stdout', () => {
    for (const name of ['badJobs', 'noPaths', 'unknownOption']) {
      expect(results[name].code).toBe(2);
      expect(results[name].stdout).toBe('');
    }
    expect(results.badJobs.stderr).toBe('hashsieve: Expected a positive integer for --workers but received "-1"\n');
    expect(results.noPaths.stderr).toBe('hashsieve: Expected at least one path (or - to read paths from stdin)\n');
    expect(results.unknownOption.stderr).toContain("unknown option '--colour'");
  });

  it('writes text by default when stdout is a terminal (in process)', async () => {
    const out = Object.assign(new Collect(), { isTTY: true });
    const code = await main(['node', 'hashsieve', 'hash', '--algo', 'md5', `${IMAGES}/a.png`], { stdout: out, stderr: new Collect() });
    expect(code).toBe(0);
    expect(out.text).toMatch(/^fixtures\/images\/a\.png\tmd5:[0-9a-f]{32}\n$/);
  });

  it.each([
    [['--workers', '0'], 'Expected a positive integer for --workers but received "0"'],
    [['--workers', '1.5'], 'Expected a positive integer for --workers but received "1.5"'],
    [['--blockhash-bits', '6'], 'Expected a multiple of 4 between 4 and 64 for --blockhash-bits but received "6"'],
    [['--format', 'xml'], 'Expected one of ndjson, csv, text, vpdq, pytx for --format but received "xml"'],
    [['--pdq-pipeline', 'slow'], 'Expected one of fast, fullres, cpp for --pdq-pipeline but received "slow"'],
    [['--algo', 'phash'], 'Unknown signal "phash"; expected one of: pdq, blockhash, md5, sha1, sha256, vpdq'],
    [['--max-bytes', 'lots'], 'Expected a size like 4096, 50M or 1.5G for --max-bytes but received "lots"'],
    [['--max-pixels', '-5'], 'Expected a positive integer for --max-pixels but received "-5"'],
  ])('%j (in process, same main())', async (args, message) => {
    const out = new Collect();
    const err = new Collect();
    const code = await main(['node', 'hashsieve', 'hash', ...args, `${IMAGES}/a.png`], { stdout: out, stderr: err });
    expect(code).toBe(2);
    expect(out.text).toBe('');
    expect(err.text).toBe(`hashsieve: ${message}\n`);
  });
});
