/**
 * A second `list import` on a busy database waits as long as the other writer holds the lock,
 * saying so on stderr (issue 16 item 6), instead of failing after SQLite's 5 s busy timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './scan-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hashsieve-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Longer than the 5 s busy timeout the import used to give up after. */
const HOLD_MS = 5_600;

describe('list import on a busy database', () => {
  it('waits for the other writer, says so once, then imports', async () => {
    const db = join(dir, 'lists.db');
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, 'md5 d41d8cd98f00b204e9800998ecf8427e\n');
    writeFileSync(b, 'md5 0cc175b9c0f1b6a831c399e269772661\n');
    expect(runCli(['list', 'import', a, '--name', 'first', '--db', db]).code).toBe(0);

    const writer = new Database(db);
    writer.exec('BEGIN IMMEDIATE');
    const second = startCli(['list', 'import', b, '--name', 'second', '--db', db]);
    let released = false;
    try {
      const deadline = Date.now() + 10_000;
      while (!/waiting for it to finish/.test(second.output().stderr) && Date.now() < deadline) await sleep(50);
      expect(second.output().stderr).toMatch(/another process is writing to the list database .*lists\.db; waiting for it to finish/);
      await sleep(HOLD_MS);
      expect(second.child.exitCode).toBeNull();
      writer.exec('COMMIT');
      released = true;
    } finally {
      if (!released) writer.exec('ROLLBACK');
      writer.close();
    }
    const r = await second.done;
    expect(r.stderr).not.toMatch(/database is locked/);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/waiting for it to finish/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/the list database is free after \d+\.\d s; importing/);
    expect(r.stderr).toMatch(/Imported 1 new entries into list "second"/);
  }, 30_000);
});
