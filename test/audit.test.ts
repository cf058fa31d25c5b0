import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashesOf, makeList, runCli } from './scan-helpers.js';

let dir: string;
let tree: string;
let db: string;
let list: string;

async function hashdeepList(files: readonly string[]): Promise<string> {
  const lines = ['%%%% HASHDEEP-1.0', '%%%% size,md5,sha256,filename', '## Invoked from: test', '##'];
  for (const f of files) {
    const h = await hashesOf(f, ['md5', 'sha256']);
    lines.push(`${statSync(f).size},${h.md5},${h.sha256},${f}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Audit {
  passed: boolean;
  matched: number;
  moved: { path: string; knownPath: string }[];
  new: string[];
  missing: string[];
  unreadable: string[];
}

function audit(extra: string[] = []): { code: number | null; stderr: string; audit: Audit } {
  const summary = join(dir, 'summary.json');
  const r = runCli(['scan', '--db', db, '--workers', '1', '--audit', list, '--summary', summary, ...extra, tree]);
  return { code: r.code, stderr: r.stderr, audit: (JSON.parse(readFileSync(summary, 'utf8')) as { audit: Audit }).audit };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-audit-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  mkdirSync(join(tree, 'sub'), { recursive: true });
  const names = ['a.txt', 'b.txt', 'c.txt', 'sub/same-name.txt'];
  names.forEach((n, i) => writeFileSync(join(tree, n), `file ${i} ${n}\n`));
  list = join(dir, 'tree.hashdeep');
  writeFileSync(list, await hashdeepList(names.map((n) => join(tree, n))));
  await makeList(db, 'unrelated', [{ signal: 'sha256', hash: '0'.repeat(64), id: 'U', category: 'X' }]);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scan --audit (hashdeep -a)', () => {
  test('an unchanged tree passes: exit 0', () => {
    const r = audit();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Audit passed');
    expect(r.audit).toMatchObject({ passed: true, matched: 4, moved: [], new: [], missing: [] });
  });

  test('an audit needs no hash-list database', () => {
    const r = runCli(['scan', '--db', join(dir, 'no-such.db'), '--workers', '1', '--audit', list, tree]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Audit passed');
  });

  test('moved, missing, new and changed files fail it: exit 1, each listed', () => {
    renameSync(join(tree, 'b.txt'), join(tree, 'sub', 'b-moved.txt'));
    unlinkSync(join(tree, 'c.txt'));
    writeFileSync(join(tree, 'd-new.txt'), 'a new file\n');
    writeFileSync(join(tree, 'sub', 'same-name.txt'), 'changed content\n');
    const r = audit();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('Audit failed');
    expect(r.stderr).toContain('files moved: 1');
    expect(r.audit.passed).toBe(false);
    expect(r.audit.matched).toBe(1);
    expect(r.audit.moved).toEqual([{ path: join(tree, 'sub', 'b-moved.txt'), knownPath: join(tree, 'b.txt') }]);
    expect([...r.audit.new].sort()).toEqual([join(tree, 'd-new.txt'), join(tree, 'sub', 'same-name.txt')]);
    expect([...r.audit.missing].sort()).toEqual([join(tree, 'c.txt'), join(tree, 'sub', 'same-name.txt')]);
  });

  test('a file that is not a hashdeep list is refused; an audit with a checkpoint is refused', () => {
    writeFileSync(join(dir, 'bad.txt'), 'not hashdeep\n');
    const r = runCli(['scan', '--db', db, '--audit', join(dir, 'bad.txt'), tree]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hashdeep');
    const c = runCli(['scan', '--db', db, '--audit', list, '-o', join(dir, 'r.ndjson'), '--checkpoint', join(dir, 'c.ckpt'), tree]);
    expect(c.code).toBe(2);
  });
});
