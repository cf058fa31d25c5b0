import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, test } from 'vitest';
import { makeRdsDb } from '../../../test/nsrl-fixture.js';
import { readHead, sniffFormat } from '../sniff.js';
import { readNsrl } from './nsrl.js';
import type { EntrySink } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-nsrl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect(): EntrySink & { got: Array<[number, string, string]>; problems: string[] } {
  const got: Array<[number, string, string]> = [];
  const problems: string[] = [];
  return { got, problems, entry: (pos, signal, hash) => got.push([pos, signal, hash]), problem: (_pos, reason) => problems.push(reason), note: () => {} };
}

const FILE = { md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), name: 'notepad.exe', size: 10 };

describe('NSRL RDSv3 reader', () => {
  test('an SQLite file sniffs as nsrl; the METADATA table gives the chosen digest column, every row', () => {
    const path = join(dir, 'rds.db');
    makeRdsDb(path, [FILE], 5);
    expect(sniffFormat(readHead(path))).toBe('nsrl');
    const sink = collect();
    readNsrl(path, sink, 'sha1');
    expect(sink.got).toHaveLength(5 + 1 + 1);
    expect(sink.got[0]).toEqual([1, 'sha1', 'b'.repeat(40)]);
  });

  test('a publication with only the FILE view (upper-case digests, as the view writes them) is read through it', () => {
    const path = join(dir, 'file-only.db');
    makeRdsDb(path, [FILE], 0);
    const db = new Database(path);
    db.exec('CREATE TABLE FILE2 AS SELECT * FROM FILE; DROP VIEW FILE; DROP TABLE METADATA; ALTER TABLE FILE2 RENAME TO FILE');
    db.close();
    const sink = collect();
    readNsrl(path, sink, 'md5');
    expect(sink.got).toEqual([[1, 'md5', 'A'.repeat(32)]]);
  });

  test('an SQLite database that is not an RDS publication is refused by name', () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => readNsrl(path, collect(), 'sha256')).toThrow(/without an NSRL RDSv3 FILE view or METADATA table/);
  });
});
