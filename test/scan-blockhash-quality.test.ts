import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSource } from '../src/synthetic/images.js';
import { hashesOf, makeList, parseNdjson, runCli } from './scan-helpers.js';

interface Rec {
  path: string;
  status: string;
  matches: { entry: string }[];
  hashes: Record<string, { hash: string; quality?: number; lowQuality?: boolean }>;
}

let dir: string;
let tree: string;
let db: string;

/** A grey image: `value` everywhere, plus a few levels of seeded noise when `noise` is set. */
async function greyPng(width: number, height: number, value: number, noise: boolean): Promise<Buffer> {
  const data = Buffer.alloc(width * height, value);
  let s = 7;
  if (noise) for (let i = 0; i < data.length; i++) data[i] = value + ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 30) - 2;
  return sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-bhq-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  mkdirSync(tree);
  writeFileSync(join(tree, 'flat-black.png'), await greyPng(1200, 900, 0, false));
  writeFileSync(join(tree, 'flat-grey.png'), await greyPng(1201, 899, 128, false));
  writeFileSync(join(tree, 'near-flat.png'), await greyPng(1000, 750, 90, true));
  writeFileSync(join(tree, 'normal.png'), await generateSource(21, 320, 240));
  const normal = await hashesOf(join(tree, 'normal.png'), ['blockhash']);
  await makeList(db, 'hotline', [
    { signal: 'blockhash', hash: '0'.repeat(64), id: 'ZERO', category: 'A1' },
    { signal: 'blockhash', hash: 'f'.repeat(64), id: 'ONES', category: 'A1' },
    { signal: 'blockhash', hash: normal.blockhash, id: 'N-1', category: 'A1' },
  ]);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blockhash quality gate in a scan', () => {
  test('flat and near-flat images are low_quality and match nothing (not even an all-zero entry); a normal image matches', () => {
    const r = runCli(['scan', '--db', db, '--workers', '1', tree]);
    const recs = parseNdjson<Rec>(r.stdout);
    const by = (name: string) => recs.find((x) => x.path.endsWith(`/${name}`))!;
    expect(recs).toHaveLength(4);
    for (const name of ['flat-black.png', 'flat-grey.png', 'near-flat.png']) {
      expect(by(name), name).toMatchObject({ status: 'low_quality', matches: [] });
      expect(by(name).hashes.blockhash).toMatchObject({ lowQuality: true });
      expect(by(name).hashes.blockhash.quality).toBeLessThan(5);
    }
    // The flat images hash to the degenerate values the list holds: only the gate keeps them out.
    expect(by('flat-black.png').hashes.blockhash.hash).toBe('0'.repeat(64));
    expect(by('normal.png')).toMatchObject({ status: 'match', matches: [{ entry: 'N-1' }] });
    expect(by('normal.png').hashes.blockhash.quality).toBeGreaterThan(50);
    expect(by('normal.png').hashes.blockhash.lowQuality).toBeUndefined();
    expect(r.code).toBe(1);
  });
});
