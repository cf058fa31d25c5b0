/** `hashsieve hash` output imports directly (sniffed), and the scan then finds the same files. Built binary. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageTree, parseNdjson, runCli } from './scan-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-list-formats-'));
const tree = join(dir, 'tree');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => makeImageTree(tree));

describe('hash output as a list', () => {
  it.each(['ndjson', 'csv'])('hash --format %s | list import: every signal, the path as id; the scan matches those files', (format) => {
    const db = join(dir, `${format}.db`);
    const hashed = runCli(['hash', '--algo', 'pdq,md5', '--format', format, join(tree, 'known.png'), join(tree, 'other.png'), join(tree, 'flat.png')]);
    expect(hashed.code).toBe(0);
    const list = join(dir, `list.${format}`);
    writeFileSync(list, hashed.stdout);
    const imp = runCli(['list', 'import', list, '--name', 'mine', '--json', '--db', db]);
    expect(imp.code).toBe(0);
    const summary = JSON.parse(imp.stdout) as { format: string; imported: Record<string, number>; notes: Record<string, number> };
    expect(summary.format).toBe(format);
    // flat.png: its PDQ is low quality, counted and not imported.
    expect(summary.imported).toEqual({ md5: 3, pdq: 2 });
    expect(Object.values(summary.notes)).toEqual([1]);
    const scan = runCli(['scan', join(tree, 'known.png'), join(tree, 'other.png'), '--algo', 'md5', '--db', db, '--workers', '0', '-q']);
    expect(scan.code).toBe(1);
    const entries = parseNdjson<{ path: string; matches: Array<{ entry: string }> }>(scan.stdout).map((r) => r.matches.map((m) => m.entry));
    expect(entries).toEqual([[join(tree, 'known.png')], [join(tree, 'other.png')]]);
  });
});

describe('degenerate perceptual hashes', () => {
  it('are imported with a warning on stderr that counts them', () => {
    const list = join(dir, 'flat.txt');
    writeFileSync(list, `pdq ${'0'.repeat(64)}\npdq ${'f'.repeat(64)}\nmd5 ${'0'.repeat(32)}\n`);
    const imp = runCli(['list', 'import', list, '--name', 'flat', '--db', join(dir, 'flat.db')]);
    expect(imp.code).toBe(0);
    expect(imp.stderr).toMatch(/hashsieve: warning: 2 degenerate perceptual hashes \(all bits 0 or all bits 1; they match flat images\)/);
  });
});
