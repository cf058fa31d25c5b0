import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BankStore } from './banks.js';
import { importList } from './import.js';
import { STABLE_IDS_MIGRATION } from './stable-ids.js';
import { openStore, type Store } from './store.js';

const hash = (b: number): Uint8Array => new Uint8Array(32).fill(b);

function tempStore(): { store: Store; dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-ids-'));
  const path = join(dir, 'lists.db');
  return { store: openStore(path), dir, path };
}

async function importHex(store: Store, dir: string, name: string, bytes: readonly number[], mode?: 'replace'): Promise<number[]> {
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, bytes.map((b) => Buffer.from(hash(b)).toString('hex')).join('\n') + '\n');
  await importList(store, file, { name, signal: 'pdq', format: 'text', ...(mode ? { mode } : {}) });
  const listId = store.list(name)!.id;
  return store.db.prepare('SELECT id FROM entries WHERE list_id = ? ORDER BY id').pluck().all(listId) as number[];
}

describe('entry ids: a content id the API gave is never given again', () => {
  test('deleting the newest content, then adding one: a new id, and the old id finds nothing', () => {
    const { store } = tempStore();
    try {
      const banks = new BankStore(store);
      banks.create('B', 1);
      const a = banks.addContent('B', { pdq: hash(1) });
      const b = banks.addContent('B', { pdq: hash(2), md5: new Uint8Array(16).fill(3) });
      expect(banks.deleteContent('B', b)).toBe(1);
      const c = banks.addContent('B', { pdq: hash(4) });
      expect(c).toBeGreaterThan(b + 1);
      expect(banks.content('B', b)).toBeUndefined();
      // Deleting every content (the table empty) does not bring ids back either.
      banks.deleteContent('B', a);
      banks.deleteContent('B', c);
      expect(banks.addContent('B', { pdq: hash(5) })).toBeGreaterThan(c);
    } finally {
      store.close();
    }
  });

  test('an import after a content was deleted never takes its ids; content after a removed import never takes the import ids', async () => {
    const { store, dir } = tempStore();
    try {
      const banks = new BankStore(store);
      banks.create('B', 1);
      const a = banks.addContent('B', { pdq: hash(1), md5: new Uint8Array(16).fill(2) });
      banks.deleteContent('B', a);
      const imported = await importHex(store, dir, 'l1', [7, 8]);
      expect(Math.min(...imported)).toBeGreaterThan(a + 1);
      expect(store.removeList('l1')).toBe(true);
      expect(banks.addContent('B', { pdq: hash(9) })).toBeGreaterThan(Math.max(...imported));
    } finally {
      store.close();
    }
  });

  test('re-importing a list (replace) gives its entries the ids they had: imports do not use up the id space', async () => {
    const { store, dir } = tempStore();
    try {
      const first = await importHex(store, dir, 'l1', [1, 2, 3]);
      expect(await importHex(store, dir, 'l1', [1, 2, 3], 'replace')).toEqual(first);
    } finally {
      store.close();
    }
  });

  test('the migration seeds the marks from the entries present', async () => {
    const { store, dir } = tempStore();
    try {
      const banks = new BankStore(store);
      banks.create('B', 1);
      const a = banks.addContent('B', { pdq: hash(1) });
      const b = banks.addContent('B', { pdq: hash(2) });
      banks.deleteContent('B', a);
      const imported = await importHex(store, dir, 'l1', [5, 6]);
      // As a store from before the step: no marks yet.
      store.db.exec('DROP TABLE entry_id_marks');
      store.db.exec(STABLE_IDS_MIGRATION.sql);
      expect(store.db.prepare('SELECT high, api_high FROM entry_id_marks').get()).toEqual({ high: Math.max(...imported), api_high: b });
      banks.deleteContent('B', b);
      expect(banks.addContent('B', { pdq: hash(3) })).toBeGreaterThan(Math.max(...imported));
    } finally {
      store.close();
    }
  });
});

describe('bank names stay with their list', () => {
  const names = (banks: BankStore): Record<string, string> => Object.fromEntries(banks.banks().map((b) => [b.list.name, b.name]));

  test('a list imported later under an existing bank name does not take it', async () => {
    const { store, dir } = tempStore();
    try {
      const banks = new BankStore(store);
      await importHex(store, dir, 'iwf-2024', [1]);
      expect(names(banks)).toEqual({ 'iwf-2024': 'IWF_2024' });
      await importHex(store, dir, 'IWF_2024', [2]);
      const id = store.list('IWF_2024')!.id;
      expect(names(banks)).toEqual({ 'iwf-2024': 'IWF_2024', IWF_2024: `IWF_2024_${id}` });
      // Two lists first seen together get today's rule (a list's own valid name first), then keep it.
      await importHex(store, dir, 'hd', [3]);
      await importHex(store, dir, 'HD', [4]);
      expect(names(banks)).toMatchObject({ hd: `HD_${store.list('hd')!.id}`, HD: 'HD' });
    } finally {
      store.close();
    }
  });

  test('removing a list does not shift another list onto its name; re-importing one gives it back its name', async () => {
    const { store, dir } = tempStore();
    try {
      const banks = new BankStore(store);
      await importHex(store, dir, 'a-b', [1]);
      expect(names(banks)).toEqual({ 'a-b': 'A_B' });
      await importHex(store, dir, 'a.b', [2]);
      const clash = `A_B_${store.list('a.b')!.id}`;
      expect(names(banks)).toEqual({ 'a-b': 'A_B', 'a.b': clash });
      await importHex(store, dir, 'a-b', [1], 'replace');
      expect(names(banks)).toEqual({ 'a-b': 'A_B', 'a.b': clash });
      expect(store.removeList('a-b')).toBe(true);
      expect(names(banks)).toEqual({ 'a.b': clash });
    } finally {
      store.close();
    }
  });

  test('renaming a bank through the API moves its pin with it; a read-only open still names every list', async () => {
    const { store, path } = tempStore();
    const banks = new BankStore(store);
    banks.create('OLD', 1);
    banks.update('OLD', { name: 'NEW' });
    expect(names(banks)).toEqual({ NEW: 'NEW' });
    expect(store.db.prepare('SELECT name FROM bank_names').pluck().all()).toEqual(['NEW']);
    store.close();
    const ro = openStore(path, { readonly: true });
    try {
      expect(new BankStore(ro).banks().map((b) => b.name)).toEqual(['NEW']);
    } finally {
      ro.close();
    }
  });
});
