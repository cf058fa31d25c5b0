/**
 * `scan --categories` / `--exclude-categories` filter matches by the category of the entry
 * matched (python-threatexchange's NEGATIVE_CLASS entries are known non-matches).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashesOf, makeImageTree, makeList, parseNdjson, runCli } from './scan-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-categories-'));
const tree = join(dir, 'tree');
const db = join(dir, 'lists.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await makeImageTree(tree);
  const known = await hashesOf(join(tree, 'known.png'), ['sha256']);
  const other = await hashesOf(join(tree, 'other.png'), ['sha256']);
  await makeList(db, 'tx', [
    { signal: 'sha256', hash: known.sha256, id: 'K', category: 'POSITIVE_CLASS' },
    { signal: 'sha256', hash: other.sha256, id: 'O', category: 'NEGATIVE_CLASS' },
  ]);
});

function matched(args: string[]): Record<string, string[]> {
  const r = runCli(['scan', tree, '--db', db, '--algo', 'sha256', '--workers', '0', '-q', ...args]);
  expect([0, 1, 3]).toContain(r.code);
  const out: Record<string, string[]> = {};
  for (const rec of parseNdjson<{ path: string; matches: Array<{ entry: string }> }>(r.stdout)) {
    if (rec.matches.length) out[rec.path.slice(tree.length + 1)] = rec.matches.map((m) => m.entry);
  }
  return out;
}

describe('scan by category', () => {
  it('without a filter, both entries match', () => {
    expect(matched([])).toEqual({ 'known.png': ['K'], 'other.png': ['O'] });
  });

  it('--exclude-categories NEGATIVE_CLASS leaves the known non-match out', () => {
    expect(matched(['--exclude-categories', 'NEGATIVE_CLASS'])).toEqual({ 'known.png': ['K'] });
  });

  it('--categories (case-insensitive, comma-separated or repeated) keeps only those', () => {
    expect(matched(['--categories', 'negative_class'])).toEqual({ 'other.png': ['O'] });
    expect(matched(['--categories', 'x,positive_class', '--categories', 'NEGATIVE_CLASS'])).toEqual({ 'known.png': ['K'], 'other.png': ['O'] });
  });

  it('match takes the same filter', async () => {
    const other = await hashesOf(join(tree, 'other.png'), ['sha256']);
    const all = runCli(['match', `sha256 ${other.sha256}`, '--db', db, '-q']);
    expect(all.code).toBe(1);
    const filtered = runCli(['match', `sha256 ${other.sha256}`, '--db', db, '-q', '--exclude-categories', 'negative_class']);
    expect(filtered.code).toBe(0);
    expect(parseNdjson<{ matches: unknown[] }>(filtered.stdout)[0].matches).toEqual([]);
  });

  it('the manifest records the filter', () => {
    const manifest = join(dir, 'm.json');
    runCli(['scan', tree, '--db', db, '--algo', 'sha256', '--workers', '0', '-q', '--exclude-categories', 'NEGATIVE_CLASS', '--manifest', manifest]);
    expect(JSON.parse(readFileSync(manifest, 'utf8')).options.categories).toEqual({ include: null, exclude: ['NEGATIVE_CLASS'] });
  });
});
