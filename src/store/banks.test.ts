import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BankStore, bankNames, ImportedBank } from './banks.js';
import { openStore } from './store.js';
import type { ListInfo } from './types.js';
import { verifyStore } from './verify.js';

const list = (id: number, name: string): ListInfo => ({ id, name }) as ListInfo;

describe('bankNames: every list is a bank, none hidden', () => {
  test('valid names stay; others upper-cased with _; clashes get _<id>; a leading digit gets _', () => {
    const names = bankNames([list(1, 'NCMEC'), list(2, 'ncmec'), list(3, 'iwf-2024'), list(4, 'IWF_2024'), list(5, '2024 set')]);
    expect([...names.values()]).toEqual(['NCMEC', 'NCMEC_2', 'IWF_2024_3', 'IWF_2024', '_2024_SET']);
    expect(new Set(names.values()).size).toBe(5);
  });

  test('a clash suffix that is itself a list name is suffixed again, so no two banks share a name', () => {
    const names = bankNames([list(1, 'HD'), list(3, 'hd'), list(4, 'HD_3'), list(5, 'hd-3')]);
    expect(new Set(names.values()).size).toBe(4);
    expect(names.get(4)).toBe('HD_3');
  });
});

describe('BankStore', () => {
  const hash = (b: number): Uint8Array => new Uint8Array(32).fill(b);

  test('content added and deleted keeps the list verifiable (counts, packed chunks, entries digest)', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'hashsieve-banks-')), 'lists.db'));
    try {
      const banks = new BankStore(store);
      banks.create('B', 1);
      const a = banks.addContent('B', { pdq: hash(1), md5: new Uint8Array(16).fill(2) });
      const b = banks.addContent('B', { pdq: hash(1) });
      expect(b).not.toBe(a);
      expect(banks.content('B', a)?.signals).toEqual({ md5: '02'.repeat(16), pdq: '01'.repeat(32) });
      expect(banks.bank('B')?.list.counts).toEqual({ md5: 1, pdq: 2 });
      expect(verifyStore(store).ok).toBe(true);
      expect(banks.deleteContent('B', a)).toBe(1);
      expect(banks.deleteContent('B', a)).toBe(0);
      expect(banks.bank('B')?.list.counts).toEqual({ pdq: 1 });
      expect(verifyStore(store).ok).toBe(true);
    } finally {
      store.close();
    }
  });

  test('an imported list is read-only through the API', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'hashsieve-banks-')), 'lists.db'));
    try {
      const banks = new BankStore(store);
      banks.create('B', 1);
      store.db.prepare("UPDATE lists SET source_sha256 = 'ab' WHERE name = 'B'").run();
      expect(() => banks.addContent('B', { pdq: hash(1) })).toThrow(ImportedBank);
      expect(() => banks.update('B', { name: 'C' })).toThrow(ImportedBank);
      expect(banks.update('B', { enabledRatio: 0.5 }).enabledRatio).toBe(0.5);
    } finally {
      store.close();
    }
  });
});
