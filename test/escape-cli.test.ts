/**
 * Output that can attack its reader (issue 16 item 7): names holding terminal escapes, newlines
 * and C1 controls never reach a human-facing output raw; JSON carries them escaped; import refuses
 * them in ids and categories. Runs the built binary.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli } from './scan-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-escape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Retitles the terminal, clears it, and starts a new "record". */
const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\nfake\tline.png';
const C1 = 'csi\u009b2J.png';
/** Any character a terminal may act on: C0 except the line feeds that end records, DEL, C1. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const tree = join(dir, 'tree');
mkdirSync(tree);
for (const name of [HOSTILE, C1, 'plain.png']) copyFileSync(join(ROOT, 'fixtures', 'images', 'a.png'), join(tree, name));

describe('hash output with hostile file names', () => {
  it('text: the name is quoted with C escapes, one line per file', () => {
    const r = runCli(['hash', '--format', 'text', '--algo', 'sha256', tree]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\t/g, ' ')).not.toMatch(RAW_CONTROL);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.split('\t')).toHaveLength(2);
    expect(lines.some((l) => l.startsWith(`"${tree}/${String.raw`x\x1b]0;pwned\x07\x1b[2J\nfake\tline.png`}"\t`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`"${tree}/${String.raw`csi\xc2\x9b2J.png`}"\t`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${join(tree, 'plain.png')}\t`))).toBe(true);
  });

  it('csv: no raw control character; one record per file', () => {
    const r = runCli(['hash', '--format', 'csv', '--algo', 'sha256', tree]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4);
  });

  it('ndjson: the exact name, JSON-escaped (C1 too)', () => {
    const r = runCli(['hash', '--format', 'ndjson', '--algo', 'sha256', tree]);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('\\u009b');
    expect(parseNdjson<{ path: string }>(r.stdout).map((x) => x.path)).toEqual(
      [C1, 'plain.png', HOSTILE].map((n) => join(tree, n)).sort((a, b) => (a < b ? -1 : 1)),
    );
  });
});

describe('list import and list output', () => {
  const db = join(dir, 'db', 'lists.db');
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';

  it.each([
    ['id', `signal,hash,id,category\nmd5,${md5},ok-1,cat\nmd5,${md5},bad\u001b[2J,cat\n`, 3],
    ['category', `signal,hash,id,category\nmd5,${md5},ok-1,cat\u009b\n`, 2],
  ])('refuses a control character in the %s, naming the line, storing nothing', (field, csv, line) => {
    const p = join(dir, `bad-${field}.csv`);
    writeFileSync(p, csv);
    const r = runCli(['list', 'import', p, '--name', `bad-${field}`, '--columns', 'signal=signal,hash=hash,id=id,category=category', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`bad-${field}.csv:${line}: control character in the entry's ${field}; nothing imported`);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(runCli(['list', 'ls', '--db', db]).stdout).not.toContain(`bad-${field}`);
  });

  it('skips such lines with --skip-invalid and counts them; a tab inside a tag is kept', () => {
    const p = join(dir, 'mixed.txt');
    writeFileSync(p, `#hashsieve-export 1 {}\n#signal\thash\tid\tcategory\ttags\nmd5\t${md5}\tA\tc\tx\\ty\nmd5\t${md5}\tB\u001b\tc\t\n`);
    const r = runCli(['list', 'import', p, '--name', 'mixed', '--skip-invalid', '--json', '--db', db]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { imported: Record<string, number>; skipped: Record<string, number> };
    expect(summary.imported).toEqual({ md5: 1 });
    expect(summary.skipped).toEqual({ "control character in the entry's id": 1 });
  });

  it('ls and info quote stored free text (source, version, description); --json escapes it', () => {
    const p = join(dir, 'plain.txt');
    writeFileSync(p, `md5 ${md5}\n`);
    const src = 'Org\u001b]0;t\u0007';
    expect(runCli(['list', 'import', p, '--name', 'org', '--source', src, '--description', 'two\nlines', '--db', db]).code).toBe(0);
    const ls = runCli(['list', 'ls', '--db', db]);
    expect(ls.stdout).not.toMatch(RAW_CONTROL);
    expect(ls.stdout).toContain(String.raw`"Org\x1b]0;t\x07"`);
    const info = runCli(['list', 'info', 'org', '--db', db]);
    expect(info.stdout).not.toMatch(RAW_CONTROL);
    expect(info.stdout).toContain(String.raw`"two\nlines"`);
    const json = runCli(['list', 'info', 'org', '--json', '--db', db]);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json.stdout)).toMatchObject({ sourceOrg: src, description: 'two\nlines' });
  });

  it('an error naming a hostile file name shows it quoted', () => {
    const r = runCli(['list', 'import', join(dir, HOSTILE), '--name', 'missing', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain(String.raw`\x1b]0;pwned\x07\x1b[2J\nfake\tline.png`);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
