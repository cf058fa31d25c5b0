import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashesOf, makeImageTree, makeList, ROOT, runCli, startCli } from './scan-helpers.js';
import { requireSystemProgram } from './system-deps.js';

const SCHEMA = join(ROOT, 'test', 'dfxml', 'dfxml.xsd');
const haveXmllint = requireSystemProgram('xmllint', 'libxml2-utils');

let dir: string;
let tree: string;
let db: string;

/** The text of an XML element or attribute value, unescaped. */
function unescape(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|#\d+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : String.fromCodePoint(Number(e.slice(1))),
  );
}

function validate(file: string): { code: number | null; stderr: string } {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, file], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-forensic-'));
  tree = join(dir, 'tree');
  db = join(dir, 'lists.db');
  await makeImageTree(tree);
  const known = await hashesOf(join(tree, 'known.png'), ['pdq', 'md5']);
  await makeList(db, 'hotline', [
    { signal: 'pdq', hash: known.pdq, id: 'K-1', category: 'A1' },
    { signal: 'md5', hash: known.md5, id: 'K-1', category: 'A1' },
  ]);
  const png = readFileSync(join(tree, 'other.png'));
  writeFileSync(join(tree, 'odd <name> & co\nline2.png'), png);
  writeFileSync(join(tree, 'ctl\u0001char.png'), png);
  // A name whose bytes are not UTF-8.
  writeFileSync(Buffer.concat([Buffer.from(join(tree, 'latin1-')), Buffer.from([0xe9, 0xff]), Buffer.from('.png')]), png);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scan --format dfxml', () => {
  test.runIf(haveXmllint)('is valid DFXML with creator, source, case metadata and one fileobject per file; odd names escaped', () => {
    const out = join(dir, 'report.xml');
    const manifest = join(dir, 'manifest.json');
    const r = runCli([
      'scan', '--db', db, '--workers', '1', '--algo', 'md5,sha1,sha256,pdq', '--format', 'dfxml', '-o', out, '--manifest', manifest,
      '--case-number', 'CASE-2026/17', '--examiner', 'A. "Examiner" <lab>', '--evidence-id', 'EV-3', '--notes', 'seized & imaged\nsecond line',
      tree,
    ]);
    expect(r.code, r.stderr).toBe(1);
    const v = validate(out);
    expect(v.code, v.stderr).toBe(0);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toContain('<program>hashsieve</program>');
    expect(xml).toMatch(/<command_line>hashsieve scan [^<]*--format dfxml/);
    expect(xml).toMatch(/<library name="sharp" version="[^"]+"\/>/);
    expect(xml).toContain(`<image_filename>${tree}</image_filename>`);
    expect(xml).toContain('hashsieve:case_number="CASE-2026/17"');
    expect(unescape(/hashsieve:examiner="([^"]*)"/.exec(xml)![1])).toBe('A. "Examiner" <lab>');
    expect(unescape(/hashsieve:notes="([^"]*)"/.exec(xml)![1])).toBe('seized & imaged\nsecond line');
    expect(xml).toContain('hashsieve:evidence_id="EV-3"');

    const objects = xml.split('\n').filter((l) => l.startsWith('<fileobject'));
    const names = objects.map((o) => unescape(/<filename[^>]*>([^<]*)<\/filename>/.exec(o)![1]));
    expect(names).toContain(join(tree, 'odd <name> & co\nline2.png'));
    expect(names).toContain(join(tree, 'known.png'));
    expect(objects).toHaveLength(11);
    // XML 1.0 cannot carry U+0001: the text has U+FFFD and the exact bytes are beside it.
    const ctl = objects.find((o) => o.includes('ctl'))!;
    const b64 = /hashsieve:path_bytes="([^"]+)"/.exec(ctl)![1];
    expect(Buffer.from(b64, 'base64').toString('utf8')).toBe(join(tree, 'ctl\u0001char.png'));
    // Bytes that are not UTF-8: the walk's escaped form as text, the exact bytes beside it; hashed like any file.
    const latin1 = objects.find((o) => o.includes('latin1-'))!;
    expect(Buffer.from(/hashsieve:path_bytes="([^"]+)"/.exec(latin1)![1], 'base64')).toEqual(
      Buffer.concat([Buffer.from(join(tree, 'latin1-')), Buffer.from([0xe9, 0xff]), Buffer.from('.png')]),
    );
    expect(latin1).toContain('<hashdigest type="sha256">');
    expect(latin1).not.toContain('<error');

    const known = objects.find((o) => o.includes('>' + join(tree, 'known.png') + '<'))!;
    expect(known).toContain('hashsieve:status="match"');
    expect(known).toMatch(/<hashdigest type="md5">[0-9a-f]{32}<\/hashdigest><hashdigest type="sha1">[0-9a-f]{40}<\/hashdigest><hashdigest type="sha256">[0-9a-f]{64}<\/hashdigest>/);
    expect(known).toMatch(/<hashsieve:hash type="pdq" quality="\d+">[0-9a-f]{64}<\/hashsieve:hash>/);
    expect(known).toContain('<hashsieve:match list="hotline" entry="K-1" category="A1" signal="md5" distance="0"/>');
    expect(known).toMatch(/<filesize>\d+<\/filesize><mtime>\d{4}-\d\d-\d\dT[\d:.]+Z<\/mtime>/);

    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { case: Record<string, string>; report: { format: string; sha256: string } };
    expect(m.case).toEqual({ caseNumber: 'CASE-2026/17', examiner: 'A. "Examiner" <lab>', evidenceId: 'EV-3', notes: 'seized & imaged\nsecond line' });
    expect(m.report.format).toBe('dfxml');
    expect(m.report.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
  });

  test.runIf(haveXmllint)('killed part-way and resumed, the DFXML report is whole and valid, every file once', async () => {
    const many = join(dir, 'many');
    for (let i = 0; i < 40; i++) {
      mkdirSync(join(many, `d${i % 4}`), { recursive: true });
      copyFileSync(join(tree, i % 2 ? 'known.png' : 'other.png'), join(many, `d${i % 4}`, `img-${i}.png`));
    }
    const out = join(dir, 'resumed.xml');
    const ckpt = join(dir, 'resumed.ckpt');
    const args = ['scan', '--db', db, '--workers', '1', '--format', 'dfxml', '--case-number', 'C-7', '--out', out, '--checkpoint', ckpt, many];
    const run = startCli(args, { faulty: true, env: { HASHSIEVE_TEST_DELAY_MS: '150' } });
    const start = Date.now();
    while (!(existsSync(ckpt) && readFileSync(ckpt, 'utf8').split('\n').filter(Boolean).length >= 2) && run.child.exitCode === null) {
      if (Date.now() - start > 45_000) throw new Error('no checkpointed batch');
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGKILL');
    await run.done;
    expect(validate(out).code).not.toBe(0);
    const resumed = runCli([...args, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(1);
    const v = validate(out);
    expect(v.code, v.stderr).toBe(0);
    const xml = readFileSync(out, 'utf8');
    const names = [...xml.matchAll(/<filename>([^<]*)<\/filename>/g)].map((m) => m[1]);
    expect(names).toHaveLength(40);
    expect(new Set(names).size).toBe(40);
    expect(xml.match(/<source /g)).toHaveLength(1);
  });

  test('the JSON report carries the case metadata in its header', () => {
    const r = runCli(['scan', '--db', db, '--workers', '1', '--format', 'json', '--case-number', 'C-9', '--examiner', 'E', join(tree, 'known.png')]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { case: Record<string, string>; records: unknown[] };
    expect(report.case).toEqual({ caseNumber: 'C-9', examiner: 'E' });
    expect(report.records).toHaveLength(1);
  });
});

describe('evidence is never written to', () => {
  const cases: Array<[string, (inside: string) => string[]]> = [
    ['report', (p) => ['-o', join(p, 'r.ndjson')]],
    ['checkpoint', (p) => ['-o', join(dir, 'ok.ndjson'), '--checkpoint', join(p, 'c.ckpt')]],
    ['summary', (p) => ['--summary', join(p, 's.json')]],
    ['manifest', (p) => ['-o', join(dir, 'ok2.ndjson'), '--manifest', join(p, 'm.json')]],
    ['index cache folder', (p) => ['--index-cache', join(p, 'cache')]],
  ];
  for (const [what, args] of cases) {
    test(`a ${what} inside the scanned tree is refused before anything is written`, () => {
      const target = join(tree, 'copies');
      const r = runCli(['scan', '--db', db, '--workers', '1', ...args(target), tree]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`The ${what} `);
      expect(r.stderr).toContain('inside the scanned tree');
      expect(existsSync(args(target).at(-1)!)).toBe(false);
    });
  }

  test('a report folder that is a symbolic link into the tree is refused too', () => {
    const link = join(dir, 'reports-link');
    symlinkSync(join(tree, 'copies'), link);
    const r = runCli(['scan', '--db', db, '--workers', '1', '-o', join(link, 'r.ndjson'), tree]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('inside the scanned tree');
    expect(existsSync(join(tree, 'copies', 'r.ndjson'))).toBe(false);
  });

  test('a scanned path given through a symbolic link, and a single scanned file as the report, are refused', () => {
    const link = join(dir, 'tree-link');
    symlinkSync(tree, link);
    const r = runCli(['scan', '--db', db, '--workers', '1', '-o', join(tree, 'r.ndjson'), link]);
    expect(r.code).toBe(2);
    const file = join(tree, 'other.png');
    const before = readFileSync(file);
    const r2 = runCli(['scan', '--db', db, '--workers', '1', '-o', file, file]);
    expect(r2.code).toBe(2);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test('a report next to the tree (a sibling whose name starts the same) is allowed', () => {
    mkdirSync(join(dir, 'tree-reports'), { recursive: true });
    const r = runCli(['scan', '--db', db, '--workers', '1', '-o', join(dir, 'tree-reports', 'r.ndjson'), tree]);
    expect(r.code, r.stderr).toBe(1);
  });
});
