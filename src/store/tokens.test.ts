import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { openStore } from './store.js';
import { parseScopes, tokenDigest, TokenStore } from './tokens.js';

describe('TokenStore', () => {
  test('create, verify, list (never the secret), revoke', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'hashsieve-tokens-')), 'lists.db'));
    try {
      const tokens = new TokenStore(store.db);
      const { token } = tokens.create('ci', ['curate', 'lookup']);
      expect(tokens.verify(token)).toMatchObject({ name: 'ci', scopes: ['lookup', 'curate'], revokedAt: null });
      expect(tokens.verify(`${token}x`)).toBeNull();
      const rows = JSON.stringify(store.db.prepare('SELECT * FROM service_tokens').all());
      expect(rows).not.toContain(token);
      expect(rows).toContain(tokenDigest(token));
      expect(JSON.stringify(tokens.list())).not.toContain(token);
      expect(() => tokens.create('ci', ['lookup'])).toThrow(UsageError);
      expect(tokens.revoke('ci')).toBe(true);
      expect(tokens.revoke('ci')).toBe(false);
      expect(tokens.verify(token)).toBeNull();
    } finally {
      store.close();
    }
  });

  test('scopes and names are checked', () => {
    expect(parseScopes('lookup, curate')).toEqual(['lookup', 'curate']);
    expect(() => parseScopes('admin')).toThrow(UsageError);
    expect(() => parseScopes('')).toThrow(UsageError);
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'hashsieve-tokens-')), 'lists.db'));
    try {
      expect(() => new TokenStore(store.db).create('has space', ['lookup'])).toThrow(UsageError);
    } finally {
      store.close();
    }
  });
});
