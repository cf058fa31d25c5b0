import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashesOf, makeImageTree, makeList, parseNdjson, runCli } from './scan-helpers.js';

interface Rec {
  path: string;
  status: string;
  error?: { code: string };
  hashes: Record<string, { hash: string }>;
}

let dir: string;
let tree: string;
let files: string;
let db: string;
let otherPdq: string;

/** Sorted, so each fault shares the thread with the file before it (two files per thread, one worker). */
const OK = ['1-ok.png', '3-ok.png', '5-ok.png', '6-ok.png'];
const CRASH = '2-crash.png';
const BLOCK = '4-block.png';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-pair-'));
  tree = join(dir, 'tree');
  files = join(dir, 'files');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  mkdirSync(files);
  for (const name of [...OK, CRASH, BLOCK]) copyFileSync(join(tree, name.includes('ok') ? 'known.png' : 'other.png'), join(files, name));
  const known = await hashesOf(join(tree, 'known.png'), ['pdq']);
  otherPdq = (await hashesOf(join(tree, 'other.png'), ['pdq'])).pdq;
  await makeList(db, 'hotline', [{ signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' }]);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two files in flight per pool thread', () => {
  test('a crash and a stalled thread give error rows to their own files only; the files that shared their thread get real results, exactly once', () => {
    const r = runCli(['scan', '--db', db, '--workers', '1', '--file-timeout', '1500ms', files], {
      faulty: true,
      // The delay keeps both files of a thread started when the fault hits.
      env: { HASHSIEVE_TEST_CRASH_ON: CRASH, HASHSIEVE_TEST_BLOCK_ON: BLOCK, HASHSIEVE_TEST_DELAY_MS: '200' },
    });
    const recs = parseNdjson<Rec>(r.stdout);
    const paths = recs.map((x) => x.path.split('/').pop());
    expect([...paths].sort()).toEqual([...OK, CRASH, BLOCK].sort());
    const by = (name: string) => recs.find((x) => x.path.endsWith(`/${name}`))!;
    expect(by(CRASH)).toMatchObject({ status: 'error', error: { code: 'WORKER_CRASHED' } });
    expect(by(BLOCK)).toMatchObject({ status: 'error', error: { code: 'TIMEOUT' } });
    for (const name of OK) expect(by(name), name).toMatchObject({ status: 'match' });
    expect(otherPdq).not.toBe(by('1-ok.png').hashes.pdq.hash);
    expect(r.stderr).toMatch(/TIMEOUT 1/);
    expect(r.code).toBe(1);
  });
});
